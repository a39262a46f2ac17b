import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { ApiError } from './errors.ts';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './validation.ts';

test('label selectors match as Kubernetes labels.Parse does', () => {
  const labels = { app: 'web', tier: 'front', n: '7' };
  const cases: { selector: string; want: boolean }[] = [
    { selector: '', want: true },
    { selector: 'app=web', want: true },
    { selector: 'app==web', want: true },
    { selector: 'app!=web', want: false },
    { selector: 'app!=db', want: true },
    { selector: 'missing!=x', want: true },
    { selector: 'app in (web, db)', want: true },
    { selector: 'app notin (web)', want: false },
    { selector: 'missing notin (web)', want: true },
    { selector: 'tier', want: true },
    { selector: '!tier', want: false },
    { selector: '!missing', want: true },
    { selector: 'n>5', want: true },
    { selector: 'n<5', want: false },
    { selector: 'app=web,tier=back', want: false },
    { selector: 'app in (db,web),tier', want: true },
    { selector: 'example.com/role=x', want: false },
  ];
  for (const c of cases) assert.equal(matchesLabels(parseLabelSelector(c.selector), labels), c.want, c.selector);
  assert.throws(() => parseLabelSelector('a=b,,c'), ApiError);
  assert.throws(() => parseLabelSelector('a in b'), ApiError);
});

test('field selectors', () => {
  const fields: Record<string, string> = { 'metadata.name': 'a,b', 'status.phase': 'Running' };
  const get = (f: string): string => fields[f] ?? '';
  const cases: { selector: string; want: boolean }[] = [
    { selector: 'status.phase=Running', want: true },
    { selector: 'status.phase==Running', want: true },
    { selector: 'status.phase!=Running', want: false },
    { selector: 'metadata.name=a\\,b', want: true },
    { selector: 'metadata.name=a\\,b,status.phase=Pending', want: false },
    { selector: 'spec.nodeName=', want: true },
  ];
  for (const c of cases) assert.equal(matchesFields(parseFieldSelector(c.selector), get), c.want, c.selector);
  assert.throws(() => parseFieldSelector('nonsense'), ApiError);
});

test('name and label validation messages are Kubernetes\' own', () => {
  const cases: { fn: (v: string) => string[]; value: string; want: string[] }[] = [
    { fn: isDNS1123Label, value: 'ok-1', want: [] },
    {
      fn: isDNS1123Label,
      value: 'Bad',
      want: [
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ],
    },
    { fn: isDNS1123Subdomain, value: 'a.b-c', want: [] },
    {
      fn: isDNS1123Subdomain,
      value: 'a_b',
      want: [
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    },
    {
      fn: isDNS1035Label,
      value: '1abc',
      want: [
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      ],
    },
    { fn: isQualifiedName, value: 'example.com/My_Name', want: [] },
    { fn: isQualifiedName, value: '/x', want: ['prefix part must be non-empty'] },
    { fn: isValidLabelValue, value: '', want: [] },
    { fn: isValidLabelValue, value: 'x'.repeat(64), want: ['must be no more than 63 characters'] },
  ];
  for (const c of cases) assert.deepEqual(c.fn(c.value), c.want, `${c.fn.name}(${c.value})`);
});
