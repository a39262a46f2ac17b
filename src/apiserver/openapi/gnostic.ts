// /openapi/v2 in protobuf: client-go's OpenAPISchema() asks for `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`
// and unmarshals the body as gnostic's openapi_v2.Document whatever the content type (kubectl 1.27 and 1.28
// need it for apply and explain). This encodes our Swagger 2.0 JSON into that message; field numbers are
// gnostic's OpenAPIv2.proto. Vendor extensions and enum values travel as YAML text (JSON is YAML), which is
// how kube-openapi reads them back.

type Json = Record<string, unknown>;

// A minimal protobuf writer: varints and length-delimited fields, nested messages encoded bottom-up.
class Writer {
  private chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private varint(value: number): void {
    const out: number[] = [];
    let v = value;
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.push(data);
  }

  string(field: number, value: unknown): void {
    if (typeof value !== 'string' || value === '') return; // proto3: empty is absent
    this.bytes(field, new TextEncoder().encode(value));
  }

  strings(field: number, values: unknown): void {
    if (!Array.isArray(values)) return;
    for (const v of values) if (typeof v === 'string') this.bytes(field, new TextEncoder().encode(v));
  }

  bool(field: number, value: unknown): void {
    if (value !== true) return;
    this.tag(field, 0);
    this.varint(1);
  }

  message(field: number, encode: (w: Writer) => void): void {
    const w = new Writer();
    encode(w);
    this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Any { yaml = 2 }
function anyValue(w: Writer, value: unknown): void {
  w.string(2, JSON.stringify(value));
}

// repeated NamedAny vendor_extension: every "x-…" key of `obj`.
function vendorExtensions(w: Writer, field: number, obj: Json): void {
  for (const [name, value] of Object.entries(obj)) {
    if (!name.startsWith('x-')) continue;
    w.message(field, (n) => {
      n.string(1, name);
      n.message(2, (a) => anyValue(a, value));
    });
  }
}

// Schema
function schema(w: Writer, s: Json): void {
  w.string(1, s.$ref);
  w.string(2, s.format);
  w.string(4, s.description);
  w.bool(16, s.uniqueItems);
  w.strings(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) w.message(20, (a) => anyValue(a, e));
  const additional = s.additionalProperties;
  if (isObject(additional)) w.message(21, (ap) => ap.message(1, (x) => schema(x, additional)));
  if (typeof s.type === 'string') w.message(22, (t) => t.string(1, s.type));
  const items = s.items;
  if (isObject(items)) w.message(23, (it) => it.message(1, (x) => schema(x, items)));
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) if (isObject(sub)) w.message(24, (x) => schema(x, sub));
  const props = s.properties;
  if (isObject(props)) {
    w.message(25, (p) => {
      for (const [name, value] of Object.entries(props)) {
        if (!isObject(value)) continue;
        p.message(1, (n) => {
          n.string(1, name);
          n.message(2, (x) => schema(x, value));
        });
      }
    });
  }
  vendorExtensions(w, 31, s);
}

// ParametersItem { parameter = 1 { body_parameter = 1 | non_body_parameter = 2 } }
function parameter(w: Writer, p: Json): void {
  w.message(1, (param) => {
    if (p.in === 'body') {
      param.message(1, (b) => {
        b.string(1, p.description);
        b.string(2, p.name);
        b.string(3, p.in);
        b.bool(4, p.required);
        if (isObject(p.schema)) b.message(5, (x) => schema(x, p.schema as Json));
      });
      return;
    }
    param.message(2, (nb) => {
      if (p.in === 'path') {
        // PathParameterSubSchema: required 1, in 2, description 3, name 4, type 5, unique_items 19
        nb.message(4, (q) => {
          q.bool(1, p.required);
          q.string(2, p.in);
          q.string(3, p.description);
          q.string(4, p.name);
          q.string(5, p.type);
          q.bool(19, p.uniqueItems);
        });
      } else {
        // QueryParameterSubSchema: required 1, in 2, description 3, name 4, type 6, unique_items 20
        nb.message(3, (q) => {
          q.bool(1, p.required);
          q.string(2, p.in);
          q.string(3, p.description);
          q.string(4, p.name);
          q.string(6, p.type);
          q.bool(20, p.uniqueItems);
        });
      }
    });
  });
}

// Operation
function operation(w: Writer, op: Json): void {
  w.strings(1, op.tags);
  w.string(3, op.description);
  w.string(5, op.operationId);
  w.strings(6, op.produces);
  w.strings(7, op.consumes);
  if (Array.isArray(op.parameters)) for (const p of op.parameters) if (isObject(p)) w.message(8, (x) => parameter(x, p));
  const responses = op.responses;
  if (isObject(responses)) {
    w.message(9, (r) => {
      for (const [code, resp] of Object.entries(responses)) {
        if (!isObject(resp)) continue;
        r.message(1, (n) => {
          n.string(1, code);
          n.message(2, (rv) =>
            rv.message(1, (x) => {
              x.string(1, resp.description);
              if (isObject(resp.schema)) x.message(2, (si) => si.message(1, (s) => schema(s, resp.schema as Json)));
            }),
          );
        });
      }
    });
  }
  w.strings(10, op.schemes);
  vendorExtensions(w, 13, op);
}

const methodFields: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

// Document
export function encodeOpenAPIV2(doc: Json): Uint8Array {
  const w = new Writer();
  w.string(1, doc.swagger);
  const info = doc.info;
  if (isObject(info)) {
    w.message(2, (i) => {
      i.string(1, info.title);
      i.string(2, info.version);
    });
  }
  const paths = doc.paths;
  if (isObject(paths)) {
    w.message(8, (ps) => {
      for (const [path, item] of Object.entries(paths)) {
        if (!isObject(item)) continue;
        ps.message(2, (n) => {
          n.string(1, path);
          n.message(2, (pi) => {
            for (const [method, field] of Object.entries(methodFields)) {
              const op = item[method];
              if (isObject(op)) pi.message(field, (o) => operation(o, op));
            }
          });
        });
      }
    });
  }
  const definitions = doc.definitions;
  if (isObject(definitions)) {
    w.message(9, (d) => {
      for (const [name, s] of Object.entries(definitions)) {
        if (!isObject(s)) continue;
        d.message(1, (n) => {
          n.string(1, name);
          n.message(2, (x) => schema(x, s));
        });
      }
    });
  }
  if (Array.isArray(doc.security)) {
    for (const req of doc.security) {
      if (!isObject(req)) continue;
      w.message(12, (sr) => {
        for (const [name, scopes] of Object.entries(req)) {
          sr.message(1, (n) => {
            n.string(1, name);
            n.message(2, (sa) => sa.strings(1, scopes));
          });
        }
      });
    }
  }
  const securityDefinitions = doc.securityDefinitions;
  if (isObject(securityDefinitions)) {
    w.message(13, (sd) => {
      for (const [name, def] of Object.entries(securityDefinitions)) {
        if (!isObject(def)) continue;
        sd.message(1, (n) => {
          n.string(1, name);
          // SecurityDefinitionsItem { api_key_security = 2 { type 1, name 2, in 3, description 4 } }
          n.message(2, (item) =>
            item.message(2, (k) => {
              k.string(1, def.type);
              k.string(2, def.name);
              k.string(3, def.in);
              k.string(4, def.description);
            }),
          );
        });
      }
    });
  }
  return w.finish();
}
