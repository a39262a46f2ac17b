// Table tests for Service defaulting + validation, one row per rule, written as the exact `field: message`
// lines kubectl prints (Kubernetes' validation_test.go cases, through the v1 defaulting a request gets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '../../../api/index.ts';
import { fieldErrorMessage } from '../../errors.ts';
import { prepareServiceForCreate, prepareServiceForUpdate } from './defaults.ts';
import { validateService, validateServiceUpdate } from './validation.ts';

function base(): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  };
}

function createErrors(mutate: (s: Service) => void): string[] {
  const svc = base();
  mutate(svc);
  prepareServiceForCreate(svc);
  return validateService(svc).map(fieldErrorMessage);
}

const dns1123Label =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1123Subdomain =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelValue =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const portRange = 'must be between 1 and 65535, inclusive';

const createCases: { name: string; mutate: (s: Service) => void; want: string[] }[] = [
  { name: 'valid minimal', mutate: () => {}, want: [] },
  { name: 'valid headless without ports', mutate: (s) => { s.spec.clusterIP = 'None'; s.spec.ports = []; }, want: [] },
  { name: 'valid ExternalName without ports', mutate: (s) => { s.spec = { type: 'ExternalName', externalName: 'example.com.' }; }, want: [] },
  { name: 'ports required', mutate: (s) => { s.spec.ports = []; }, want: ['spec.ports: Required value'] },
  {
    name: 'port 0 (targetPort defaults to it, so both are reported)',
    mutate: (s) => { s.spec.ports = [{ port: 0 }]; },
    want: [`spec.ports[0].port: Invalid value: 0: ${portRange}`, `spec.ports[0].targetPort: Invalid value: 0: ${portRange}`],
  },
  { name: 'port 0 with a targetPort', mutate: (s) => { s.spec.ports = [{ port: 0, targetPort: 80 }]; }, want: [`spec.ports[0].port: Invalid value: 0: ${portRange}`] },
  { name: 'port too big', mutate: (s) => { s.spec.ports = [{ port: 65536, targetPort: 80 }]; }, want: [`spec.ports[0].port: Invalid value: 65536: ${portRange}`] },
  {
    name: 'names required with several ports',
    mutate: (s) => { s.spec.ports = [{ port: 80 }, { port: 443, name: 'https' }]; },
    want: ['spec.ports[0].name: Required value'],
  },
  {
    name: 'duplicate port names',
    mutate: (s) => { s.spec.ports = [{ name: 'p', port: 80 }, { name: 'p', port: 81 }]; },
    want: ['spec.ports[1].name: Duplicate value: "p"'],
  },
  {
    name: 'port name not a DNS-1123 label',
    mutate: (s) => { s.spec.ports = [{ name: 'Http_1', port: 80 }]; },
    want: [`spec.ports[0].name: Invalid value: "Http_1": ${dns1123Label}`],
  },
  {
    name: 'unsupported protocol',
    mutate: (s) => { s.spec.ports = [{ port: 80, protocol: 'HTTP' as 'TCP' }]; },
    want: ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
  },
  { name: 'targetPort out of range', mutate: (s) => { s.spec.ports = [{ port: 80, targetPort: 70000 }]; }, want: [`spec.ports[0].targetPort: Invalid value: 70000: ${portRange}`] },
  { name: 'targetPort negative', mutate: (s) => { s.spec.ports = [{ port: 80, targetPort: -1 }]; }, want: [`spec.ports[0].targetPort: Invalid value: -1: ${portRange}`] },
  { name: 'targetPort named', mutate: (s) => { s.spec.ports = [{ port: 80, targetPort: 'http-web' }]; }, want: [] },
  {
    name: 'targetPort name too long and with capitals',
    mutate: (s) => { s.spec.ports = [{ port: 80, targetPort: 'Abcdefghijklmnop' }]; },
    want: [
      'spec.ports[0].targetPort: Invalid value: "Abcdefghijklmnop": must be no more than 15 characters',
      'spec.ports[0].targetPort: Invalid value: "Abcdefghijklmnop": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ],
  },
  {
    name: 'targetPort name without a letter',
    mutate: (s) => { s.spec.ports = [{ port: 80, targetPort: '123' }]; },
    want: ['spec.ports[0].targetPort: Invalid value: "123": must contain at least one letter (a-z)'],
  },
  {
    name: 'targetPort name with hyphen problems',
    mutate: (s) => { s.spec.ports = [{ port: 80, targetPort: '-a--b' }]; },
    want: [
      'spec.ports[0].targetPort: Invalid value: "-a--b": must not contain consecutive hyphens',
      'spec.ports[0].targetPort: Invalid value: "-a--b": must not begin or end with a hyphen',
    ],
  },
  {
    name: 'duplicate port and protocol',
    mutate: (s) => { s.spec.ports = [{ name: 'a', port: 80 }, { name: 'b', port: 80, targetPort: 8080 }]; },
    want: [
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ],
  },
  { name: 'same port, other protocol', mutate: (s) => { s.spec.ports = [{ name: 'a', port: 53 }, { name: 'b', port: 53, protocol: 'UDP' }]; }, want: [] },
  {
    name: 'selector label value invalid',
    mutate: (s) => { s.spec.selector = { app: '-bad' }; },
    want: [`spec.selector: Invalid value: "-bad": ${labelValue}`],
  },
  {
    name: 'selector key invalid',
    mutate: (s) => { s.spec.selector = { 'a/b/c': 'x' }; },
    want: [
      "spec.selector: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  },
  {
    name: 'unsupported sessionAffinity',
    mutate: (s) => { s.spec.sessionAffinity = 'Sticky' as 'None'; },
    want: ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"'],
  },
  {
    name: 'ClientIP timeout 0',
    mutate: (s) => { s.spec.sessionAffinity = 'ClientIP'; s.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 0 } }; },
    want: ['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400'],
  },
  {
    name: 'ClientIP timeout above a day',
    mutate: (s) => { s.spec.sessionAffinity = 'ClientIP'; s.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 86401 } }; },
    want: ['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400'],
  },
  {
    name: 'ClientIP timeout exactly a day',
    mutate: (s) => { s.spec.sessionAffinity = 'ClientIP'; s.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 86400 } }; },
    want: [],
  },
  {
    name: 'ExternalName needs a name',
    mutate: (s) => { s.spec = { type: 'ExternalName' }; },
    want: ['spec.externalName: Required value'],
  },
  {
    name: 'ExternalName not a subdomain',
    mutate: (s) => { s.spec = { type: 'ExternalName', externalName: 'Bad_Name.com' }; },
    want: [`spec.externalName: Invalid value: "Bad_Name.com": ${dns1123Subdomain}`],
  },
  {
    name: 'ExternalName with a clusterIP',
    mutate: (s) => { s.spec = { type: 'ExternalName', externalName: 'example.com', clusterIP: '10.96.0.5' }; },
    want: ['spec.clusterIPs: Forbidden: may not be set for ExternalName services'],
  },
  {
    name: 'ExternalName with ipFamilies and policy',
    mutate: (s) => { s.spec = { type: 'ExternalName', externalName: 'example.com', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }; },
    want: [
      'spec.ipFamilies: Forbidden: may not be set for ExternalName services',
      'spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services',
    ],
  },
  {
    name: 'NodePort headless',
    mutate: (s) => { s.spec.type = 'NodePort'; s.spec.clusterIP = 'None'; },
    want: ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for NodePort services'],
  },
  {
    name: 'clusterIP not an IP',
    mutate: (s) => { s.spec.clusterIP = '10.96.0'; },
    want: ['spec.clusterIPs[0]: Invalid value: "10.96.0": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
  },
  {
    name: 'clusterIPs without clusterIP',
    mutate: (s) => { s.spec.clusterIPs = ['10.96.0.5']; },
    want: ['spec.clusterIPs: Invalid value: []string{"10.96.0.5"}: must be empty when `clusterIP` is not specified'],
  },
  {
    name: 'clusterIPs[0] differs from clusterIP',
    mutate: (s) => { s.spec.clusterIP = '10.96.0.5'; s.spec.clusterIPs = ['10.96.0.6']; },
    want: ['spec.clusterIPs: Invalid value: []string{"10.96.0.6"}: first value must match `clusterIP`'],
  },
  {
    name: 'two IPs of one family',
    mutate: (s) => { s.spec.clusterIP = '10.96.0.5'; s.spec.clusterIPs = ['10.96.0.5', '10.96.0.6']; s.spec.ipFamilyPolicy = 'RequireDualStack'; },
    want: ['spec.clusterIPs: Invalid value: []string{"10.96.0.5", "10.96.0.6"}: may specify no more than one IP for each IP family'],
  },
  {
    name: 'None not alone',
    mutate: (s) => { s.spec.clusterIP = 'None'; s.spec.clusterIPs = ['None', '10.96.0.6']; },
    want: ['spec.clusterIPs: Invalid value: []string{"None", "10.96.0.6"}: \'None\' must be the first and only value'],
  },
  {
    name: 'IP family does not match the IP',
    mutate: (s) => { s.spec.clusterIP = 'fd00:10:96::5'; s.spec.ipFamilies = ['IPv4']; },
    want: ['spec.clusterIPs[0]: Invalid value: "fd00:10:96::5": expected an IPv4 value as indicated by `ipFamilies[0]`'],
  },
  {
    name: 'unsupported and duplicate families',
    mutate: (s) => { s.spec.ipFamilies = ['IPv5' as 'IPv4', 'IPv4', 'IPv4']; },
    want: [
      'spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"',
      'spec.ipFamilies[2]: Duplicate value: "IPv4"',
    ],
  },
  {
    name: 'unsupported ipFamilyPolicy',
    mutate: (s) => { s.spec.ipFamilyPolicy = 'DualStack' as 'SingleStack'; },
    want: ['spec.ipFamilyPolicy: Unsupported value: "DualStack": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"'],
  },
  {
    name: 'unsupported type',
    mutate: (s) => { s.spec.type = 'Internal' as 'ClusterIP'; },
    want: ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
  },
  {
    name: 'nodePort on a ClusterIP Service',
    mutate: (s) => { s.spec.ports = [{ port: 80, nodePort: 30080 }]; },
    want: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
  },
  {
    name: 'unsupported internalTrafficPolicy',
    mutate: (s) => { s.spec.internalTrafficPolicy = 'Node' as 'Local'; },
    want: ['spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"'],
  },
  {
    name: 'externalTrafficPolicy on an internal Service',
    mutate: (s) => { s.spec.externalTrafficPolicy = 'Local'; },
    want: ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
  },
  {
    name: 'externalIPs loopback',
    mutate: (s) => { s.spec.externalIPs = ['127.0.0.1']; },
    want: ['spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'],
  },
  {
    name: 'unsupported trafficDistribution',
    mutate: (s) => { s.spec.trafficDistribution = 'Nearest'; },
    want: ['spec.trafficDistribution: Unsupported value: "Nearest": supported values: "PreferClose"'],
  },
];

test('ValidateService: one row per rule, exact messages', () => {
  for (const c of createCases) assert.deepEqual(createErrors(c.mutate), c.want, c.name);
});

function allocated(): Service {
  const svc = base();
  prepareServiceForCreate(svc);
  svc.spec.clusterIP = '10.96.0.5';
  svc.spec.clusterIPs = ['10.96.0.5'];
  svc.spec.ipFamilies = ['IPv4'];
  svc.spec.ipFamilyPolicy = 'SingleStack';
  return svc;
}

function updateErrors(mutate: (s: Service) => void): { errs: string[]; svc: Service } {
  const old = allocated();
  const svc = structuredClone(old);
  mutate(svc);
  prepareServiceForUpdate(svc, old);
  return { errs: validateServiceUpdate(svc, old).map(fieldErrorMessage), svc };
}

const updateCases: { name: string; mutate: (s: Service) => void; want: string[] }[] = [
  { name: 'no change', mutate: () => {}, want: [] },
  {
    name: 'clusterIP and clusterIPs changed',
    mutate: (s) => { s.spec.clusterIP = '10.96.0.6'; s.spec.clusterIPs = ['10.96.0.6']; },
    want: ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.6"}: may not change once set'],
  },
  {
    name: 'only clusterIP changed (kubectl apply of an edited clusterIP)',
    mutate: (s) => { s.spec.clusterIP = '10.96.0.6'; },
    want: ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.6"}: may not change once set'],
  },
  { name: 'clusterIP omitted keeps the allocated one', mutate: (s) => { delete s.spec.clusterIP; delete s.spec.clusterIPs; }, want: [] },
  {
    name: 'ipFamilies changed',
    mutate: (s) => { s.spec.ipFamilies = ['IPv6']; },
    want: [
      'spec.ipFamilies[0]: Invalid value: []core.IPFamily{"IPv6"}: may not change once set',
      'spec.clusterIPs[0]: Invalid value: "10.96.0.5": expected an IPv6 value as indicated by `ipFamilies[0]`',
    ],
  },
  {
    name: 'to ExternalName clears the IPs',
    mutate: (s) => { s.spec.type = 'ExternalName'; s.spec.externalName = 'example.com'; },
    want: [],
  },
];

test('ValidateServiceUpdate: immutability and type changes', () => {
  for (const c of updateCases) assert.deepEqual(updateErrors(c.mutate).errs, c.want, c.name);
  const toExternal = updateErrors((s) => { s.spec.type = 'ExternalName'; s.spec.externalName = 'example.com'; }).svc;
  assert.equal(toExternal.spec.clusterIP, undefined);
  assert.equal(toExternal.spec.clusterIPs, undefined);
  assert.equal(toExternal.spec.ipFamilies, undefined);
  assert.equal(toExternal.spec.ipFamilyPolicy, undefined);
});

test('defaulting matches what kubectl get svc -o yaml shows', () => {
  const svc = base();
  svc.spec.sessionAffinity = 'ClientIP';
  svc.spec.ports = [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 0, name: 'dns' }];
  prepareServiceForCreate(svc);
  assert.deepEqual(svc.spec, {
    selector: { app: 'web' },
    ports: [
      { port: 80, protocol: 'TCP', targetPort: 80 },
      { port: 53, protocol: 'UDP', targetPort: 53, name: 'dns' },
    ],
    sessionAffinity: 'ClientIP',
    sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
  });
  assert.deepEqual(svc.status, { loadBalancer: {} });
  const none = base();
  none.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 5 } };
  prepareServiceForCreate(none);
  assert.equal(none.spec.sessionAffinityConfig, undefined, 'None drops sessionAffinityConfig (SetDefaults_Service)');
  const np = base();
  np.spec.type = 'NodePort';
  prepareServiceForCreate(np);
  assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
  const ext = base();
  ext.spec = { type: 'ExternalName', externalName: 'example.com' };
  prepareServiceForCreate(ext);
  assert.equal(ext.spec.internalTrafficPolicy, undefined);
  const single = base();
  single.spec.clusterIP = '10.96.0.9';
  prepareServiceForCreate(single);
  assert.deepEqual(single.spec.clusterIPs, ['10.96.0.9'], 'clusterIPs follows a singular clusterIP');
});
