// The cluster the DNS tests share (after CoreDNS' APIConnServeTest): ClusterIP, IPv6, dual-stack, multi-port,
// headless (with and without ports, hostnames, not-ready endpoints) and ExternalName Services.
import type { EndpointSlice, Service } from '../api/index.ts';
import { ClusterIndex } from './cluster-index.ts';

export const fixtureSerial = 1499347823;
const serial = fixtureSerial;

export function serviceObject(ns: string, name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec };
}

export function sliceObject(
  ns: string,
  service: string,
  name: string,
  addressType: 'IPv4' | 'IPv6',
  endpoints: { ip: string; hostname?: string; ready?: boolean }[],
  ports: { name?: string; port: number; protocol?: 'TCP' | 'UDP' }[] | null,
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': service } },
    addressType,
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      hostname: e.hostname,
      conditions: e.ready === undefined ? {} : { ready: e.ready },
    })),
    ports,
  };
}

export function fixtureIndex(): ClusterIndex {
  const index = new ClusterIndex({ clock: () => serial * 1000 });
  const http = [{ name: 'http', port: 80, protocol: 'TCP' as const }];
  index.upsertService(serviceObject('testns', 'svc1', { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: http }));
  index.upsertService(serviceObject('testns', 'svcempty', { clusterIP: '10.0.0.2', ports: http }));
  index.upsertService(serviceObject('testns', 'svc6', { clusterIP: '1234:abcd::1', clusterIPs: ['1234:abcd::1'], ports: http }));
  index.upsertService(
    serviceObject('testns', 'dual', { clusterIP: '10.0.0.3', clusterIPs: ['10.0.0.3', '1234:abcd::3'], ports: http }),
  );
  index.upsertService(serviceObject('testns', 'unnamed', { clusterIP: '10.0.0.4', ports: [{ port: 8080, protocol: 'TCP' }] }));
  index.upsertService(
    serviceObject('testns', 'multi', {
      clusterIP: '10.0.0.5',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'https', port: 443, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    }),
  );
  index.upsertService(serviceObject('testns', 'hdls1', { clusterIP: 'None', ports: http }));
  index.upsertService(serviceObject('testns', 'hdlsprtls', { clusterIP: 'None' }));
  index.upsertService(serviceObject('testns', 'hdlsempty', { clusterIP: 'None', ports: http }));
  index.upsertService(serviceObject('testns', 'external', { type: 'ExternalName', externalName: 'ext.interwebs.test' }));
  index.upsertService(
    serviceObject('testns', 'external-to-service', { type: 'ExternalName', externalName: 'svc1.testns.svc.cluster.local' }),
  );
  index.upsertService(serviceObject('testns', 'external-ip', { type: 'ExternalName', externalName: '1.2.3.4' }));
  index.upsertService(serviceObject('kube-system', 'kube-dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }));
  index.upsertEndpointSlice(
    sliceObject('testns', 'hdls1', 'hdls1-a', 'IPv4', [
      { ip: '172.0.0.2' },
      { ip: '172.0.0.3' },
      { ip: '172.0.0.4', hostname: 'dup-name' },
      { ip: '172.0.0.5', hostname: 'dup-name' },
      { ip: '172.0.0.9', ready: false },
    ], http),
  );
  index.upsertEndpointSlice(sliceObject('testns', 'hdls1', 'hdls1-b', 'IPv6', [{ ip: '5678:abcd::1' }, { ip: '5678:abcd::2' }], http));
  index.upsertEndpointSlice(sliceObject('testns', 'hdlsprtls', 'hdlsprtls-a', 'IPv4', [{ ip: '172.0.0.20' }], null));
  index.upsertEndpointSlice(sliceObject('testns', 'hdlsempty', 'hdlsempty-a', 'IPv4', [{ ip: '172.0.0.30', ready: false }], http));
  index.upsertEndpointSlice(sliceObject('testns', 'svc1', 'svc1-a', 'IPv4', [{ ip: '172.0.1.1', hostname: 'web-0' }], http));
  index.upsertNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'emptyns' } });
  index.markSynced();
  return index;
}

