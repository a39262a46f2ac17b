// The image catalogue (pure): there is no registry, so an image reference maps to a program on this host.
// A command that names the image's own binary (`/agnhost netexec`, `nginx -g …`) maps the same way.
import type { Container } from '../../api/index.ts';

export type Program =
  /** Debian's nginx with a per-pod generated config serving nginx's welcome page on the container ports. */
  | { kind: 'nginx'; ports: number[] }
  /** Our agnhost (src/agent/images/agnhost.ts) with agnhost's arguments. */
  | { kind: 'agnhost'; args: string[] }
  /** clusterip's DNS (src/dns/main.ts) with the container's arguments; a system component. */
  | { kind: 'dns'; args: string[] }
  /** A host program: the container's command/args run with the host's tools. */
  | { kind: 'host'; argv: string[] };

export type ImageResolution = { ok: true; program: Program; system: boolean } | { ok: false; message: string };

/** `docker.io/library/nginx:1.23@sha256:…` → `nginx`; `registry.k8s.io/e2e-test-images/agnhost:2.45` → itself. */
export function imageRepository(image: string): string {
  let ref = image.split('@')[0] ?? image;
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > lastSlash) ref = ref.slice(0, colon);
  ref = ref.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
  return ref;
}

type Family = 'nginx' | 'agnhost' | 'coredns' | 'busybox' | 'alpine' | 'debian' | 'curl';

function familyOf(image: string): Family | undefined {
  const repo = imageRepository(image);
  if (/^nginx(-unprivileged)?$/.test(repo) || repo === 'nginxinc/nginx-unprivileged') return 'nginx';
  if (/(^|\/)e2e-test-images\/agnhost$/.test(repo) || repo.endsWith('/agnhost')) return 'agnhost';
  if (/(^|\/)coredns\/coredns$/.test(repo) || repo === 'coredns') return 'coredns';
  if (repo === 'busybox' || repo.endsWith('/busybox')) return 'busybox';
  if (repo === 'alpine' || repo.endsWith('/alpine')) return 'alpine';
  if (repo === 'debian' || repo === 'ubuntu' || repo.endsWith('/debian')) return 'debian';
  if (repo === 'curlimages/curl' || repo.endsWith('/curl')) return 'curl';
  return undefined;
}

/** What the image runs when the pod gives no command (its ENTRYPOINT + CMD). */
const defaultArgv: Record<Family, string[]> = {
  nginx: ['nginx'],
  agnhost: ['/agnhost'],
  coredns: ['/coredns'],
  busybox: ['sh'],
  alpine: ['/bin/sh'],
  debian: ['bash'],
  curl: ['curl'],
};

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The argv Kubernetes would run: command replaces ENTRYPOINT, args replace CMD. */
export function containerArgv(container: Container, family: Family): string[] {
  const entry = container.command && container.command.length > 0 ? container.command : undefined;
  if (entry) return [...entry, ...(container.args ?? [])];
  if (container.args && container.args.length > 0) {
    // args without command keep the image's entrypoint (for shells the entrypoint is the CMD, replaced).
    const ep = family === 'agnhost' || family === 'coredns' || family === 'curl' || family === 'nginx' ? defaultArgv[family] : [];
    return ep.length ? [...ep, ...container.args] : [...container.args];
  }
  return [...defaultArgv[family]];
}

export function resolveImage(container: Container): ImageResolution {
  const image = container.image ?? '';
  const family = familyOf(image);
  if (!family) {
    return {
      ok: false,
      message:
        `image "${image}" is not in clusterip's local catalogue (nginx, registry.k8s.io/e2e-test-images/agnhost, ` +
        `busybox, alpine, debian, curlimages/curl, registry.k8s.io/coredns/coredns); ` +
        `use one of those, and command: to run a host program`,
    };
  }
  const argv = containerArgv(container, family);
  const bin = basename(argv[0] ?? '');
  // The image's own binary maps to our implementation whatever the image family.
  if (bin === 'nginx' && (family === 'nginx' || argv[0] === 'nginx' || argv[0] === '/usr/sbin/nginx')) {
    return { ok: true, system: false, program: { kind: 'nginx', ports: containerPorts(container) } };
  }
  if (bin === 'agnhost') return { ok: true, system: false, program: { kind: 'agnhost', args: argv.slice(1) } };
  if (bin === 'coredns') return { ok: true, system: true, program: { kind: 'dns', args: argv.slice(1) } };
  if (family === 'nginx' && (bin === 'docker-entrypoint.sh' || bin === '/docker-entrypoint.sh')) {
    return { ok: true, system: false, program: { kind: 'nginx', ports: containerPorts(container) } };
  }
  return { ok: true, system: false, program: { kind: 'host', argv } };
}

/** TCP container ports; nginx's image listens on 80 when none is declared. */
function containerPorts(container: Container): number[] {
  const ports = (container.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort);
  return ports.length > 0 ? [...new Set(ports)] : [80];
}

/** A stable image ID for status.imageID (there is no digest: the catalogue entry stands for it). */
export function imageID(image: string): string {
  return `clusterip://catalogue/${imageRepository(image)}`;
}
