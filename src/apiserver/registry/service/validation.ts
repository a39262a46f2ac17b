// Service validation with Kubernetes' messages and field paths (pkg/apis/core/validation/validation.go:
// ValidateService, validateServicePort, ValidateServiceClusterIPsRelatedFields, ValidateServiceUpdate and
// the upgrade/downgrade checks). ObjectMeta (name as a DNS-1035 label, labels, annotations) is checked by the
// generic registry. Pure.
import type { Service, ServicePort } from '../../../api/index.ts';
import { fieldErrors, goQuote, type BadValue, type FieldError } from '../../errors.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../validation.ts';
import { parseIP } from '../../../allocator/index.ts';
import { clusterIPNone, externallyAccessible, maxClientIPAffinitySeconds } from './defaults.ts';

const supportedProtocols = ['SCTP', 'TCP', 'UDP'];
const supportedSessionAffinity = ['ClientIP', 'None'];
const supportedServiceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const supportedInternalTrafficPolicy = ['Cluster', 'Local'];
const supportedExternalTrafficPolicy = ['Cluster', 'Local'];
const supportedIPFamilies = ['IPv4', 'IPv6'];
const supportedIPFamilyPolicies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const supportedTrafficDistribution = ['PreferClose'];

const annotationTopologyMode = 'service.kubernetes.io/topology-mode';
const deprecatedAnnotationTopologyAwareHints = 'service.kubernetes.io/topology-aware-hints';

/** isHeadlessService: clusterIPs is exactly ["None"]. */
export function isHeadless(svc: Service): boolean {
  const ips = svc.spec.clusterIPs ?? [];
  return ips.length === 1 && ips[0] === clusterIPNone;
}

// --- Go-printed values ----------------------------------------------------------------------------------------

/** %#v of []core.IPFamily. */
export function goIPFamilies(families: readonly string[] | undefined): BadValue {
  return { goSyntax: `[]core.IPFamily{${(families ?? []).map(goQuote).join(', ')}}` };
}

/** The dereferenced *IPFamilyPolicy as field.Error prints it (a named string: quoted; nil: null). */
function goPolicy(policy: string | undefined): BadValue {
  return policy === undefined ? null : policy;
}

/** %#v of the core.ServicePort{Protocol, Port} key used by the duplicate-port check. */
function goServicePortKey(protocol: string, port: number): BadValue {
  return {
    goSyntax:
      `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${port}, ` +
      `TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
  };
}

// --- pieces of pkg/util/validation ---------------------------------------------------------------------------

const portRangeMessage = 'must be between 1 and 65535, inclusive';

function isValidPortNum(port: unknown): string[] {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [portRangeMessage];
}

/** IsValidPortName: an IANA_SVC_NAME (RFC 6335). */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  else if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

const validIPMessage = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

function isValidIP(field: string, value: string): FieldError[] {
  return parseIP(value) ? [] : [fieldErrors.invalid(field, value, validIPMessage)];
}

/** ValidateNonSpecialIP for externalIPs. */
function validateNonSpecialIP(field: string, value: string): FieldError[] {
  const ip = parseIP(value);
  if (!ip) return [fieldErrors.invalid(field, value, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const v = ip.value;
  const v4 = ip.family === 'IPv4';
  if (v === 0n) errs.push(fieldErrors.invalid(field, value, `may not be unspecified (${value})`));
  if (v4 ? v >> 24n === 127n : v === 1n)
    errs.push(fieldErrors.invalid(field, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (v4 ? v >> 16n === 0xa9fen : v >> 118n === 0x3fan)
    errs.push(fieldErrors.invalid(field, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (v4 ? v >> 8n === 0xe00000n : v >> 112n === 0xff02n)
    errs.push(fieldErrors.invalid(field, value, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

/** ValidateLabels as the selector uses it: every error on the map's own path. */
function validateLabels(labels: Record<string, string>, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(fieldErrors.invalid(field, k, msg));
    const value = typeof v === 'string' ? v : String(v);
    for (const msg of isValidLabelValue(value)) errs.push(fieldErrors.invalid(field, value, msg));
  }
  return errs;
}

// --- ValidateService ------------------------------------------------------------------------------------------

function validateServicePort(
  sp: ServicePort,
  requireName: boolean,
  allNames: Set<string>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = sp.name ?? '';
  if (requireName && name === '') {
    errs.push(fieldErrors.required(`${path}.name`, ''));
  } else if (name !== '') {
    for (const msg of isDNS1123Label(name)) errs.push(fieldErrors.invalid(`${path}.name`, name, msg));
    if (allNames.has(name)) errs.push(fieldErrors.duplicate(`${path}.name`, name));
    else allNames.add(name);
  }
  for (const msg of isValidPortNum(sp.port)) errs.push(fieldErrors.invalid(`${path}.port`, numberValue(sp.port), msg));
  const protocol = (sp.protocol ?? '') as string;
  if (protocol === '') errs.push(fieldErrors.required(`${path}.protocol`, ''));
  else if (!supportedProtocols.includes(protocol))
    errs.push(fieldErrors.notSupported(`${path}.protocol`, protocol, supportedProtocols));
  const tp = sp.targetPort;
  if (typeof tp === 'number') {
    for (const msg of isValidPortNum(tp)) errs.push(fieldErrors.invalid(`${path}.targetPort`, tp, msg));
  } else if (typeof tp === 'string') {
    for (const msg of isValidPortName(tp)) errs.push(fieldErrors.invalid(`${path}.targetPort`, tp, msg));
  }
  if (sp.appProtocol !== undefined && sp.appProtocol !== null) {
    for (const msg of isQualifiedName(sp.appProtocol)) errs.push(fieldErrors.invalid(`${path}.appProtocol`, sp.appProtocol, msg));
  }
  return errs;
}

function numberValue(v: unknown): BadValue {
  return typeof v === 'number' ? v : v === undefined || v === null ? 0 : String(v);
}

function validateClientIPAffinityConfig(svc: Service): FieldError[] {
  const path = 'spec.sessionAffinityConfig';
  const when = 'when session affinity type is ClientIP';
  const config = svc.spec.sessionAffinityConfig;
  if (!config) return [fieldErrors.required(path, when)];
  if (!config.clientIP) return [fieldErrors.required(`${path}.clientIP`, when)];
  const timeout = config.clientIP.timeoutSeconds;
  if (timeout === undefined || timeout === null) return [fieldErrors.required(`${path}.clientIP.timeoutSeconds`, when)];
  if (!(timeout > 0) || timeout > maxClientIPAffinitySeconds)
    return [
      fieldErrors.invalid(
        `${path}.clientIP.timeoutSeconds`,
        timeout,
        `must be greater than 0 and less than ${maxClientIPAffinitySeconds}`,
      ),
    ];
  return [];
}

/** ValidateServiceClusterIPsRelatedFields: clusterIP/clusterIPs in step, families and policy values. */
export function validateClusterIPsRelatedFields(svc: Service): FieldError[] {
  const spec = svc.spec;
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const clusterIPs = spec.clusterIPs ?? [];
  const ipsField = 'spec.clusterIPs';
  if (spec.clusterIP) {
    if (clusterIPs.length === 0) errs.push(fieldErrors.required(ipsField, ''));
    else if (clusterIPs[0] !== spec.clusterIP)
      errs.push(fieldErrors.invalid(ipsField, clusterIPs, 'first value must match `clusterIP`'));
  } else if (clusterIPs.length !== 0) {
    errs.push(fieldErrors.invalid(ipsField, clusterIPs, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  for (const [i, family] of (spec.ipFamilies ?? []).entries()) {
    if (!supportedIPFamilies.includes(family))
      errs.push(fieldErrors.notSupported(`spec.ipFamilies[${i}]`, family, supportedIPFamilies));
    if (seen.has(family)) errs.push(fieldErrors.duplicate(`spec.ipFamilies[${i}]`, family));
    seen.add(family);
  }
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null && !supportedIPFamilyPolicies.includes(spec.ipFamilyPolicy))
    errs.push(fieldErrors.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, supportedIPFamilyPolicies));

  let hasInvalidIPs = false;
  for (const [i, ip] of clusterIPs.entries()) {
    if (i === 0 && ip === clusterIPNone) {
      if (clusterIPs.length > 1) {
        hasInvalidIPs = true;
        errs.push(fieldErrors.invalid(ipsField, clusterIPs, "'None' must be the first and only value"));
      }
      continue;
    }
    const ipErrs = isValidIP(`${ipsField}[${i}]`, ip);
    if (ipErrs.length) hasInvalidIPs = true;
    errs.push(...ipErrs);
  }
  if (clusterIPs.length > 2) errs.push(fieldErrors.invalid(ipsField, clusterIPs, 'may only hold up to 2 values'));
  if (hasInvalidIPs) return errs;

  if (clusterIPs.length > 1) {
    const families = clusterIPs.map((ip) => parseIP(ip)?.family);
    const dualStack = clusterIPs.length === 2 && families[0] !== families[1];
    if (!dualStack) errs.push(fieldErrors.invalid(ipsField, clusterIPs, 'may specify no more than one IP for each IP family'));
  }
  const ipFamilies = spec.ipFamilies ?? [];
  if (!isHeadless(svc) && clusterIPs.length > 0 && ipFamilies.length > 0) {
    for (const [i, ip] of clusterIPs.entries()) {
      if (i > ipFamilies.length - 1) break;
      const isV6 = parseIP(ip)?.family === 'IPv6';
      if (ipFamilies[i] === 'IPv4' && isV6)
        errs.push(fieldErrors.invalid(`${ipsField}[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (ipFamilies[i] === 'IPv6' && !isV6)
        errs.push(fieldErrors.invalid(`${ipsField}[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    }
  }
  return errs;
}

/** ValidateService (create, and the second half of update). */
export function validateService(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec ?? {};
  const annotations = svc.metadata.annotations ?? {};
  const mode = annotations[annotationTopologyMode];
  const hints = annotations[deprecatedAnnotationTopologyAwareHints];
  if (mode !== undefined && hints !== undefined && mode !== hints)
    errs.push(
      fieldErrors.invalid(
        `metadata.annotations[${annotationTopologyMode}]`,
        mode,
        `must match annotations[${deprecatedAnnotationTopologyAwareHints}] when both are specified`,
      ),
    );

  const ports = spec.ports ?? [];
  const headless = isHeadless(svc);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(fieldErrors.required('spec.ports', ''));

  switch (spec.type) {
    case 'LoadBalancer':
      if (headless) errs.push(fieldErrors.invalid('spec.clusterIPs[0]', clusterIPNone, "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (headless) errs.push(fieldErrors.invalid('spec.clusterIPs[0]', clusterIPNone, "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if ((spec.clusterIPs?.length ?? 0) > 0) errs.push(fieldErrors.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if ((spec.ipFamilies?.length ?? 0) > 0) errs.push(fieldErrors.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null)
        errs.push(fieldErrors.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      // A trailing dot marks the name fully qualified.
      const cname = (spec.externalName ?? '').replace(/\.$/, '');
      if (cname.length > 0) {
        for (const msg of isDNS1123Subdomain(cname)) errs.push(fieldErrors.invalid('spec.externalName', cname, msg));
      } else {
        errs.push(fieldErrors.required('spec.externalName', ''));
      }
      break;
    }
  }

  const names = new Set<string>();
  for (const [i, port] of ports.entries()) errs.push(...validateServicePort(port, ports.length > 1, names, `spec.ports[${i}]`));

  if (spec.selector) errs.push(...validateLabels(spec.selector, 'spec.selector'));

  const affinity = (spec.sessionAffinity ?? '') as string;
  if (affinity === '') errs.push(fieldErrors.required('spec.sessionAffinity', ''));
  else if (!supportedSessionAffinity.includes(affinity))
    errs.push(fieldErrors.notSupported('spec.sessionAffinity', affinity, supportedSessionAffinity));
  if (affinity === 'ClientIP') errs.push(...validateClientIPAffinityConfig(svc));
  else if (affinity === 'None' && spec.sessionAffinityConfig)
    errs.push(fieldErrors.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));

  errs.push(...validateClusterIPsRelatedFields(svc));

  for (const [i, ip] of (spec.externalIPs ?? []).entries()) {
    const field = `spec.externalIPs[${i}]`;
    const ipErrs = isValidIP(field, ip);
    errs.push(...(ipErrs.length ? ipErrs : validateNonSpecialIP(field, ip)));
  }

  const type = (spec.type ?? '') as string;
  if (type === '') errs.push(fieldErrors.required('spec.type', ''));
  else if (!supportedServiceTypes.includes(type)) errs.push(fieldErrors.notSupported('spec.type', type, supportedServiceTypes));

  if (type === 'ClusterIP') {
    for (const [i, port] of ports.entries())
      if (port.nodePort) errs.push(fieldErrors.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
  }

  const nodePorts = new Set<string>();
  for (const [i, port] of ports.entries()) {
    if (!port.nodePort) continue;
    const key = `${port.protocol}/${port.nodePort}`;
    if (nodePorts.has(key)) errs.push(fieldErrors.duplicate(`spec.ports[${i}].nodePort`, port.nodePort));
    nodePorts.add(key);
  }

  const portKeys = new Set<string>();
  for (const [i, port] of ports.entries()) {
    const protocol = (port.protocol ?? '') as string;
    const key = `${protocol}/${port.port}`;
    if (portKeys.has(key)) errs.push(fieldErrors.duplicate(`spec.ports[${i}]`, goServicePortKey(protocol, port.port)));
    portKeys.add(key);
  }

  if ((spec.loadBalancerSourceRanges?.length ?? 0) > 0 && type !== 'LoadBalancer')
    errs.push(fieldErrors.forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts !== null && type !== 'LoadBalancer')
    errs.push(fieldErrors.forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  if (type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null))
    errs.push(fieldErrors.required('allocateLoadBalancerNodePorts', ''));

  // externalTrafficPolicy and healthCheckNodePort
  const etp = (spec.externalTrafficPolicy ?? '') as string;
  if (!externallyAccessible(spec)) {
    if (etp !== '') errs.push(fieldErrors.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (etp === '') {
    errs.push(fieldErrors.required('spec.externalTrafficPolicy', ''));
  } else if (!supportedExternalTrafficPolicy.includes(etp)) {
    errs.push(fieldErrors.notSupported('spec.externalTrafficPolicy', etp, supportedExternalTrafficPolicy));
  }
  const needsHealthCheck = type === 'LoadBalancer' && etp === 'Local';
  if (!needsHealthCheck) {
    if (spec.healthCheckNodePort)
      errs.push(
        fieldErrors.invalid(
          'spec.healthCheckNodePort',
          spec.healthCheckNodePort,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
  } else if (!spec.healthCheckNodePort) {
    errs.push(fieldErrors.required('spec.healthCheckNodePort', ''));
  } else {
    for (const msg of isValidPortNum(spec.healthCheckNodePort))
      errs.push(fieldErrors.invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, msg));
  }

  const itp = spec.internalTrafficPolicy as string | undefined | null;
  if ((itp === undefined || itp === null) && (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP'))
    errs.push(fieldErrors.required('spec.internalTrafficPolicy', ''));
  if (itp !== undefined && itp !== null && !supportedInternalTrafficPolicy.includes(itp))
    errs.push(fieldErrors.notSupported('spec.internalTrafficPolicy', itp, supportedInternalTrafficPolicy));

  if (spec.trafficDistribution !== undefined && spec.trafficDistribution !== null &&
    !supportedTrafficDistribution.includes(spec.trafficDistribution))
    errs.push(fieldErrors.notSupported('spec.trafficDistribution', spec.trafficDistribution, supportedTrafficDistribution));
  return errs;
}

// --- ValidateServiceUpdate -----------------------------------------------------------------------------------

function validateUpgradeDowngradeClusterIPs(old: Service, svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  if (svc.spec.type === 'ExternalName' || old.spec.type === 'ExternalName') return errs;
  if (isHeadless(old) && isHeadless(svc)) return errs;
  const oldIPs = old.spec.clusterIPs ?? [];
  const newIPs = svc.spec.clusterIPs ?? [];
  const changed = 'may not change once set';
  if (oldIPs.length === newIPs.length) {
    for (const [i, ip] of oldIPs.entries())
      if (ip !== newIPs[i]) errs.push(fieldErrors.invalid(`spec.clusterIPs[${i}]`, newIPs, changed));
  } else if (oldIPs.length > newIPs.length) {
    if (newIPs.length === 0) errs.push(fieldErrors.invalid('spec.clusterIPs[0]', newIPs, 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && newIPs.length > 0 && newIPs[0] !== oldIPs[0])
      errs.push(fieldErrors.invalid('spec.clusterIPs[0]', newIPs, changed));
    if (newIPs.length === 1 && svc.spec.ipFamilyPolicy !== 'SingleStack')
      errs.push(
        fieldErrors.invalid('spec.ipFamilyPolicy', goPolicy(svc.spec.ipFamilyPolicy), "must be set to 'SingleStack' when releasing the secondary clusterIP"),
      );
  } else if (oldIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
    errs.push(fieldErrors.invalid('spec.clusterIPs[0]', newIPs, changed));
  }
  return errs;
}

function validateUpgradeDowngradeIPFamilies(old: Service, svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  if (svc.spec.type === 'ExternalName' || old.spec.type === 'ExternalName') return errs;
  if (isHeadless(old) !== isHeadless(svc) || isHeadless(svc)) return errs;
  const oldF = old.spec.ipFamilies ?? [];
  const newF = svc.spec.ipFamilies ?? [];
  const changed = 'may not change once set';
  if (oldF.length === newF.length) {
    for (const [i, f] of oldF.entries()) if (f !== newF[i]) errs.push(fieldErrors.invalid('spec.ipFamilies[0]', goIPFamilies(newF), changed));
  } else if (oldF.length > newF.length) {
    if ((svc.spec.clusterIPs?.length ?? 0) === 0)
      errs.push(fieldErrors.invalid('spec.ipFamilies[0]', goIPFamilies(newF), 'primary ipFamily can not be unset'));
    if (newF.length > 0 && newF[0] !== oldF[0]) errs.push(fieldErrors.invalid('spec.ipFamilies[0]', svc.spec.clusterIPs ?? [], changed));
    if (newF.length === 1 && svc.spec.ipFamilyPolicy !== 'SingleStack')
      errs.push(
        fieldErrors.invalid('spec.ipFamilyPolicy', goPolicy(svc.spec.ipFamilyPolicy), "must be set to 'SingleStack' when releasing the secondary ipFamily"),
      );
  } else if (oldF.length > 0 && newF.length > 0 && newF[0] !== oldF[0]) {
    errs.push(fieldErrors.invalid('spec.ipFamilies[0]', svc.spec.clusterIPs ?? [], changed));
  }
  return errs;
}

/** ValidateServiceUpdate (the ObjectMeta update rules are the registry's). */
export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs = [...validateUpgradeDowngradeClusterIPs(old, svc), ...validateUpgradeDowngradeIPFamilies(old, svc)];
  const neededHC = old.spec.type === 'LoadBalancer' && old.spec.externalTrafficPolicy === 'Local';
  const needsHC = svc.spec.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';
  if (neededHC && needsHC && old.spec.healthCheckNodePort !== svc.spec.healthCheckNodePort)
    errs.push(fieldErrors.forbidden('spec.healthCheckNodePort', 'field is immutable'));
  return [...errs, ...validateService(svc)];
}
