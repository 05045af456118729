/**
 * Build-time only (the generator script and the drift test): prunes `@temporalio/proto`'s full
 * protobufjs descriptor to the RPCs and fields in `schema.ts`. Never imported by a Lambda.
 */
import { EventGatewayError } from '../../../contract/errors';
// The protobufjs `@temporalio/proto` builds its reflection with (8), not the generator's alias of 7.
import type { Enum, Field, INamespace, ReflectionObject, Root, Type } from 'protobufjs';
import { WIRE_FIELDS, WIRE_METHODS, WORKFLOW_SERVICE } from './schema';

type Json = Record<string, unknown>;

const keptFields: Record<string, readonly string[]> = WIRE_FIELDS;

export class WireSchemaError extends EventGatewayError {
  override readonly name = 'WireSchemaError';
}

/** `.a.b.C` → `a.b.C` */
const nameOf = (object: ReflectionObject): string => object.fullName.replace(/^\./, '');

function isType(object: ReflectionObject | null): object is Type {
  return object !== null && 'fieldsArray' in object;
}

function isEnum(object: ReflectionObject | null): object is Enum {
  return object !== null && 'valuesById' in object;
}

function fieldsKept(type: Type): Field[] {
  const names = keptFields[nameOf(type)];
  if (!names) return type.fieldsArray;
  return names.map((name) => {
    const field = type.fields[name];
    if (!field) throw new WireSchemaError(`${nameOf(type)} has no field "${name}" any more.`);
    return field;
  });
}

function fieldJson(field: Field): Json {
  const json: Json = {};
  const map = (field as Field & { keyType?: string }).keyType;
  if (map) json.keyType = map;
  if (field.repeated) json.rule = 'repeated';
  // Absolute type names: the pruned tree has no sibling types to resolve relative names against.
  json.type = field.resolvedType ? `.${nameOf(field.resolvedType)}` : field.type;
  json.id = field.id;
  if (field.options && Object.keys(field.options).length > 0) json.options = field.options;
  return json;
}

function typeJson(type: Type, fields: Field[]): Json {
  const json: Json = {
    fields: Object.fromEntries(fields.map((field) => [field.name, fieldJson(field)])),
  };
  const oneofs = Object.fromEntries(
    type.oneofsArray
      .map(
        (oneof) => [oneof.name, oneof.oneof.filter((name) => fields.some((f) => f.name === name))] as const,
      )
      .filter(([, members]) => members.length > 0)
      .map(([name, members]) => [name, { oneof: members }]),
  );
  if (Object.keys(oneofs).length > 0) json.oneofs = oneofs;
  return json;
}

/** Puts `json` at `path` (a full name) in a protobufjs namespace tree. */
function place(tree: Json, path: string, json: Json): void {
  const parts = path.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const nested = ((node.nested as Json | undefined) ??= {});
    node = (nested[part] as Json | undefined) ?? (nested[part] = {});
  }
  const nested = ((node.nested as Json | undefined) ??= {});
  const last = parts.at(-1) ?? '';
  nested[last] = { ...json, ...(nested[last] as Json | undefined) };
}

/** The pruned descriptor: the service with the listed methods and every message they reach. */
export function pruneDescriptor(root: Root): INamespace {
  root.resolveAll();
  const service = root.lookupService(WORKFLOW_SERVICE);
  const tree: Json & INamespace = {};
  const seen = new Set<string>();
  const queue: (Type | Enum)[] = [];
  const visit = (object: ReflectionObject | null) => {
    if ((!isType(object) && !isEnum(object)) || seen.has(nameOf(object))) return;
    seen.add(nameOf(object));
    queue.push(object);
  };
  const methods: Json = {};
  for (const name of Object.keys(WIRE_METHODS)) {
    const method = service.methods[name];
    if (!method) throw new WireSchemaError(`${WORKFLOW_SERVICE} has no RPC ${name} any more.`);
    method.resolve();
    visit(method.resolvedRequestType);
    visit(method.resolvedResponseType);
    methods[name] = {
      requestType: `.${nameOf(method.resolvedRequestType as Type)}`,
      responseType: `.${nameOf(method.resolvedResponseType as Type)}`,
    };
  }
  place(tree, nameOf(service), { methods });
  for (let object = queue.shift(); object; object = queue.shift()) {
    if (isEnum(object)) {
      place(tree, nameOf(object), { values: { ...object.values } });
      continue;
    }
    const fields = fieldsKept(object);
    for (const field of fields) visit(field.resolvedType);
    place(tree, nameOf(object), typeJson(object, fields));
  }
  for (const listed of Object.keys(keptFields)) {
    if (!seen.has(listed)) throw new WireSchemaError(`${listed} is listed but no RPC reaches it.`);
  }
  return tree;
}
