// initIPFamilyFields as a table (storage/alloc.go TestInitIPFamilyFields-style), and the IPAddress and
// ServiceCIDR strategies' validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IPAddress, IPFamily, IPFamilyPolicy, Service, ServiceCIDR } from '../../../api/index.ts';
import { fieldErrorMessage } from '../../errors.ts';
import { initIPFamilyFields } from './families.ts';
import { prepareServiceForCreate } from './defaults.ts';
import { ipAddressStrategy, serviceCIDRStrategy } from './strategy.ts';

interface Row {
  name: string;
  cluster: IPFamily[];
  spec: Partial<Service['spec']>;
  wantPolicy?: IPFamilyPolicy;
  wantFamilies?: IPFamily[];
  wantErrs?: string[];
}

const rows: Row[] = [
  { name: 'nothing asked, single-stack cluster', cluster: ['IPv4'], spec: {}, wantPolicy: 'SingleStack', wantFamilies: ['IPv4'] },
  { name: 'nothing asked, dual-stack cluster', cluster: ['IPv4', 'IPv6'], spec: {}, wantPolicy: 'SingleStack', wantFamilies: ['IPv4'] },
  { name: 'IPv6-primary cluster', cluster: ['IPv6', 'IPv4'], spec: {}, wantPolicy: 'SingleStack', wantFamilies: ['IPv6'] },
  { name: 'PreferDualStack on dual-stack', cluster: ['IPv4', 'IPv6'], spec: { ipFamilyPolicy: 'PreferDualStack' }, wantPolicy: 'PreferDualStack', wantFamilies: ['IPv4', 'IPv6'] },
  { name: 'PreferDualStack on single-stack', cluster: ['IPv4'], spec: { ipFamilyPolicy: 'PreferDualStack' }, wantPolicy: 'PreferDualStack', wantFamilies: ['IPv4'] },
  { name: 'RequireDualStack with IPv6 first', cluster: ['IPv4', 'IPv6'], spec: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6'] }, wantFamilies: ['IPv6', 'IPv4'] },
  { name: 'family inferred from an explicit IPv6 clusterIP', cluster: ['IPv4', 'IPv6'], spec: { clusterIP: 'fd00::5' }, wantFamilies: ['IPv6'] },
  {
    name: 'explicit IP of an unconfigured family',
    cluster: ['IPv4'],
    spec: { clusterIP: 'fd00::5' },
    wantErrs: ['spec.clusterIPs[0]: Invalid value: []string{"fd00::5"}: IPv6 is not configured on this cluster'],
  },
  {
    name: 'RequireDualStack on a single-stack cluster',
    cluster: ['IPv4'],
    spec: { ipFamilyPolicy: 'RequireDualStack' },
    wantErrs: ['spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services'],
  },
  {
    name: 'SingleStack with two IPs',
    cluster: ['IPv4', 'IPv6'],
    spec: { ipFamilyPolicy: 'SingleStack', clusterIP: '10.0.0.5', clusterIPs: ['10.0.0.5', 'fd00::5'] },
    wantErrs: ["spec.ipFamilyPolicy: Invalid value: \"SingleStack\": must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"],
  },
  { name: 'headless with selector', cluster: ['IPv4', 'IPv6'], spec: { clusterIP: 'None' }, wantPolicy: 'SingleStack', wantFamilies: ['IPv4'] },
  { name: 'headless without selector', cluster: ['IPv4', 'IPv6'], spec: { clusterIP: 'None', selector: undefined }, wantPolicy: 'RequireDualStack', wantFamilies: ['IPv4', 'IPv6'] },
  { name: 'headless without selector, single-stack cluster too', cluster: ['IPv4'], spec: { clusterIP: 'None', selector: undefined }, wantPolicy: 'RequireDualStack', wantFamilies: ['IPv4', 'IPv6'] },
  { name: 'ExternalName untouched', cluster: ['IPv4'], spec: { type: 'ExternalName', externalName: 'x.example' } },
];

test('initIPFamilyFields: policy and families from the request and the cluster', () => {
  for (const r of rows) {
    const svc: Service = { metadata: { name: 's', namespace: 'default' }, spec: { selector: { a: 'b' }, ports: [{ port: 80 }], ...r.spec } };
    prepareServiceForCreate(svc);
    const errs = initIPFamilyFields(svc, undefined, { configured: r.cluster }).map(fieldErrorMessage);
    assert.deepEqual(errs, r.wantErrs ?? [], r.name);
    if (r.wantErrs) continue;
    if (r.wantPolicy) assert.equal(svc.spec.ipFamilyPolicy, r.wantPolicy, `${r.name}: policy`);
    assert.deepEqual(svc.spec.ipFamilies, r.wantFamilies, `${r.name}: families`);
  }
});

test('IPAddress and ServiceCIDR validation', () => {
  const ip = (parentRef: IPAddress['spec']['parentRef'] | undefined): IPAddress =>
    ({ metadata: { name: '10.0.0.1' }, spec: parentRef ? { parentRef } : {} }) as IPAddress;
  const ipCases: { name: string; obj: IPAddress; want: string[] }[] = [
    { name: 'ok', obj: ip({ resource: 'services', namespace: 'default', name: 'a' }), want: [] },
    { name: 'no parentRef', obj: ip(undefined), want: ['spec.parentRef: Required value'] },
    { name: 'no resource or name', obj: ip({ resource: '', name: '' }), want: ['spec.parentRef.resource: Required value', 'spec.parentRef.name: Required value'] },
    { name: 'slash in name', obj: ip({ resource: 'services', name: 'a/b' }), want: ["spec.parentRef.name: Invalid value: \"a/b\": may not contain '/'"] },
  ];
  for (const c of ipCases) assert.deepEqual((ipAddressStrategy.validateCreate?.(c.obj) ?? []).map(fieldErrorMessage), c.want, c.name);
  const moved = ip({ resource: 'services', namespace: 'default', name: 'b' });
  assert.deepEqual((ipAddressStrategy.validateUpdate?.(moved, ip({ resource: 'services', namespace: 'default', name: 'a' })) ?? []).map(fieldErrorMessage), [
    'spec.parentRef: Invalid value: networking.ParentReference{Group:"", Resource:"services", Namespace:"default", Name:"b"}: field is immutable',
  ]);

  const cidr = (cidrs: string[]): ServiceCIDR => ({ metadata: { name: 'x' }, spec: { cidrs } });
  const cidrCases: { name: string; cidrs: string[]; want: string[] }[] = [
    { name: 'ok dual', cidrs: ['10.0.0.0/24', 'fd00::/112'], want: [] },
    { name: 'empty', cidrs: [], want: ['spec.cidrs: Required value: at least one CIDR required'] },
    { name: 'bad', cidrs: ['10.0.0.0/33'], want: ['spec.cidrs[0]: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'] },
    {
      name: 'same family twice',
      cidrs: ['10.0.0.0/24', '10.1.0.0/24'],
      want: ['spec.cidrs: Invalid value: []string{"10.0.0.0/24", "10.1.0.0/24"}: may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64'],
    },
  ];
  for (const c of cidrCases) assert.deepEqual((serviceCIDRStrategy.validateCreate?.(cidr(c.cidrs)) ?? []).map(fieldErrorMessage), c.want, c.name);
  assert.deepEqual((serviceCIDRStrategy.validateUpdate?.(cidr(['10.0.0.0/24', 'fd00::/112']), cidr(['10.0.0.0/24'])) ?? []), [], 'gaining the second family');
  assert.deepEqual((serviceCIDRStrategy.validateUpdate?.(cidr(['10.9.0.0/24']), cidr(['10.0.0.0/24'])) ?? []).map(fieldErrorMessage), [
    'spec.cidrs: Invalid value: []string{"10.9.0.0/24"}: field is immutable',
  ]);
});
