// meta.k8s.io/v1 Table responses (kubectl get's `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the
// columns and cells of Kubernetes' server-side printers, one row per object.

import type { KubeObject, ListMeta } from '../../api/index.ts';
import { defaultPrinter, printers } from './printers.ts';
import type { TableColumnDefinition, TableRowCondition } from './printers.ts';

export type { TableColumnDefinition, TableRowCondition } from './printers.ts';
export { humanDuration } from './format.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface PartialObjectMetadata {
  apiVersion: 'meta.k8s.io/v1';
  kind: 'PartialObjectMetadata';
  metadata: KubeObject['metadata'];
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  // null for includeObject=None, as Kubernetes serialises an empty RawExtension.
  object: PartialObjectMetadata | KubeObject | null;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export interface TableOptions {
  includeObject?: IncludeObject; // default Metadata, as the apiserver
  now: Date;
  listMeta?: ListMeta;
  noHeaders?: boolean; // TableOptions.noHeaders: omit the column definitions (watch events after the first)
}

// Column definitions for a kind (the default Name/Created At ones for kinds without a printer).
export function tableColumns(kind: string): TableColumnDefinition[] {
  return (printers[kind] ?? defaultPrinter).columns;
}

// Whether `kind` has a printer of its own rather than the default Name/Created At table.
export function hasPrinter(kind: string): boolean {
  return kind in printers;
}

export function toTable(kind: string, objects: KubeObject[], options: TableOptions): Table {
  const printer = printers[kind] ?? defaultPrinter;
  const include = options.includeObject ?? 'Metadata';
  const rows = objects.map((obj): TableRow => {
    const printed = printer.print(obj, options.now);
    const row: TableRow = { cells: printed.cells, object: rowObject(obj, include) };
    if (printed.conditions) row.conditions = printed.conditions;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { ...(options.listMeta ?? {}) },
    columnDefinitions: options.noHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}

function rowObject(obj: KubeObject, include: IncludeObject): TableRow['object'] {
  switch (include) {
    case 'None':
      return null;
    case 'Object':
      return obj;
    default:
      return { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: obj.metadata };
  }
}
