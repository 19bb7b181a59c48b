import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

interface Kustomization {
  namespace?: string;
  resources?: string[];
  patches?: Array<{ path: string }>;
  labels?: Array<{ pairs: Record<string, string>; includeSelectors?: boolean }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
}

type Json = Record<string, unknown>;

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readYamlDocuments(path: string): K8sObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => {
      if (d.errors.length) throw new Error(`${path}: ${d.errors[0].message}`);
      return d.toJS() as K8sObject;
    })
    .filter(Boolean);
}

/**
 * Strategic merge as kustomize does it for our patches: maps merge, lists of named items merge by
 * name, other lists replace.
 */
export function strategicMerge(target: Json, patch: Json): void {
  for (const [k, v] of Object.entries(patch)) {
    const cur = target[k];
    if (isMap(cur) && isMap(v)) strategicMerge(cur, v);
    else if (Array.isArray(cur) && Array.isArray(v) && v.every((i) => isMap(i) && typeof i.name === 'string')) {
      const added: Json[] = [];
      for (const item of v as Json[]) {
        const existing = (cur as Json[]).find((c) => isMap(c) && c.name === item.name);
        if (existing) {
          // A named item replaces fields it names (env valueFrom vs value are exclusive).
          if ('value' in item) delete existing.valueFrom;
          if ('valueFrom' in item) delete existing.value;
          strategicMerge(existing, item);
        } else added.push(structuredClone(item));
      }
      // kustomize puts items the original did not have first, in patch order.
      cur.unshift(...added);
    } else target[k] = structuredClone(v);
  }
}

function podSpecs(o: K8sObject): Json[] {
  const spec = o.spec as Json | undefined;
  const template = spec?.template as Json | undefined;
  return template?.spec ? [template.spec as Json] : [];
}

export function containersOf(o: K8sObject): Json[] {
  return podSpecs(o).flatMap((s) => [...((s.initContainers as Json[]) ?? []), ...((s.containers as Json[]) ?? [])]);
}

/**
 * The subset of `kustomize build` these manifests use: resources (files and directories),
 * strategic-merge patches by kind and name, then namespace, labels (metadata only) and images.
 */
export function kustomize(dir: string): K8sObject[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const objects: K8sObject[] = [];
  for (const r of k.resources ?? []) {
    const p = resolve(dir, r);
    objects.push(...(statSync(p).isDirectory() ? kustomize(p) : readYamlDocuments(p)));
  }
  for (const { path } of k.patches ?? []) {
    for (const patch of readYamlDocuments(resolve(dir, path))) {
      const target = objects.find((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
      if (!target) throw new Error(`${path}: patches ${patch.kind} ${patch.metadata.name}, which no resource defines`);
      strategicMerge(target as unknown as Json, patch as unknown as Json);
    }
  }
  for (const o of objects) {
    if (k.namespace) o.metadata.namespace = k.namespace;
    for (const l of k.labels ?? []) o.metadata.labels = { ...o.metadata.labels, ...l.pairs };
    for (const c of containersOf(o)) {
      for (const img of k.images ?? []) {
        const [name, tag] = String(c.image).split(':');
        if (name === img.name) c.image = `${img.newName ?? name}:${img.newTag ?? tag ?? 'latest'}`;
      }
    }
  }
  return objects;
}
