/**
 * Reads a V8 `.cpuprofile` taken with `node --cpu-prof` of a minified bundle and tells which source
 * packages the time went to. Samples are attributed by their leaf frame, mapped back through the
 * bundle's source map (Node's own `SourceMap`: no extra dependency), so "where did init go" is
 * answered in package names rather than minified columns.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based */
  lineNumber: number;
  /** 0-based */
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  /** Self samples per 1-based source line, when V8 recorded them. */
  positionTicks?: { line: number; ticks: number }[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface InitCost {
  /** A package (`@temporalio/proto`), a source directory of ours (`functions/adapters`), or a V8 bucket. */
  readonly module: string;
  readonly selfMs: number;
  readonly share: number;
}

/** `…/node_modules/@scope/name/…` → `@scope/name`; our own files → their directory. */
export function moduleOfSource(source: string): string {
  const marker = 'node_modules/';
  const at = source.lastIndexOf(marker);
  if (at >= 0) {
    const parts = source.slice(at + marker.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? source);
  }
  const parts = source.replace(/^(\.\.\/)+/, '').split('/');
  return parts.length > 1 ? parts.slice(0, -1).join('/') : source;
}

/** Where V8 itself spends init time outside any JavaScript of ours or of a package. */
const V8_BUCKETS: Readonly<Record<string, string>> = {
  compileSourceTextModule: '(V8 parse + compile of the bundle)',
  compileForInternalLoader: '(Node built-in modules loading)',
};

/** Microseconds by module → ms and share of `total`, largest first. */
function costsOf(totals: ReadonlyMap<string, number>, total: number): InitCost[] {
  return [...totals.entries()]
    .map(([module, micros]) => ({
      module,
      selfMs: Math.round(micros / 100) / 10,
      share: total > 0 ? Math.round((micros / total) * 1000) / 1000 : 0,
    }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

/**
 * Self time per module, largest first. `bundlePath` is the bundle the profile ran; its `.map` sits
 * beside it. Build it unminified for this: a frame's self time is split over its source lines
 * (V8's `positionTicks`), and only then does the top-level code that esbuild merges from many ES
 * modules into one function map back to each of them.
 */
export async function initCostsByModule(profilePath: string, bundlePath: string): Promise<InitCost[]> {
  const profile = JSON.parse(await readFile(profilePath, 'utf8')) as CpuProfile;
  // The entry and the chunks it loads on demand (`import()`), each with its own `.map` beside it.
  const bundleDir = dirname(bundlePath);
  const files = new Map<string, { map: SourceMap; lineLengths: number[] }>();
  for (const name of (await readdir(bundleDir)).filter((file) => file.endsWith('.mjs'))) {
    const path = join(bundleDir, name);
    // A module beside the bundle but not from it (the generated argument checks) has no map.
    if (!existsSync(`${path}.map`)) continue;
    files.set(path, {
      map: new SourceMap(JSON.parse(await readFile(`${path}.map`, 'utf8')) as SourceMapPayload),
      lineLengths: (await readFile(path, 'utf8')).split('\n').map((line) => line.length),
    });
  }
  const fileOf = (url: string) => (url.startsWith('file:') ? files.get(fileURLToPath(url)) : undefined);

  const sourceModule = (url: string, line: number, column: number): string | undefined => {
    const file = fileOf(url);
    if (!file) return undefined;
    const entry = file.map.findEntry(line, column) as { originalSource?: string };
    return entry.originalSource ? moduleOfSource(entry.originalSource) : undefined;
  };

  /** Where the frame's own code comes from, ignoring lines. */
  const frameBucket = ({ url, functionName, lineNumber, columnNumber }: CallFrame): string => {
    if (url === '') return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
    if (url.startsWith('node:'))
      return V8_BUCKETS[functionName] ?? `(node) ${url.slice('node:'.length).split('/')[0]}`;
    if (fileOf(url)) return sourceModule(url, lineNumber, columnNumber) ?? '(esbuild glue)';
    return '(other code)';
  };

  const isBundle = (url: string) => fileOf(url) !== undefined;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + micros);
    total += micros;
  });

  const totals = new Map<string, number>();
  const add = (name: string, micros: number) => totals.set(name, (totals.get(name) ?? 0) + micros);
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id) ?? 0;
    if (micros === 0) continue;
    const ticks = node.positionTicks ?? [];
    const tickSum = ticks.reduce((sum, tick) => sum + tick.ticks, 0);
    if (!isBundle(node.callFrame.url) || tickSum === 0) {
      add(frameBucket(node.callFrame), micros);
      continue;
    }
    for (const { line, ticks: count } of ticks) {
      const share = (micros * count) / tickSum;
      // The last mapping on the line: unminified output has one statement per line.
      const lineLengths = fileOf(node.callFrame.url)?.lineLengths ?? [];
      const name = sourceModule(node.callFrame.url, line - 1, Math.max(0, (lineLengths[line - 1] ?? 1) - 1));
      if (name !== undefined) {
        add(name, share);
        continue;
      }
      // An unmapped line is esbuild's glue, mostly the CommonJS wrapper calling a module's body:
      // V8 compiles that body lazily and books it to the caller, so it belongs to the callee.
      const callees = (node.children ?? [])
        .map((id) => byId.get(id))
        .filter((child): child is ProfileNode => child !== undefined && isBundle(child.callFrame.url))
        .map((child) => frameBucket(child.callFrame));
      if (callees.length === 0) add(frameBucket(node.callFrame), share);
      else for (const callee of callees) add(callee, share / callees.length);
    }
  }
  return costsOf(totals, total);
}

export interface CostsByModuleOptions {
  /**
   * Counts no sample for more than this many µs. A sample's time is the wall time since the one
   * before it: on a loaded machine one preemption books tens of ms to whatever ran when the process
   * was switched out (seen: 95 ms on one protobuf frame). Capped, each sample weighs about one
   * sampling interval, so the split follows where the CPU went. @default no cap
   */
  maxSampleMicros?: number;
  /** Names Node's internals by their folder (`(node) internal/http2`) rather than one `(node) internal`. */
  nodeInternalsByFolder?: boolean;
}

/**
 * Self time by module of a gateway child, unbundled under tsx or bundled with a `.map` beside it:
 * each sample's leaf frame by its source file, packages by name, our files by directory.
 */
export async function costsByModule(
  profilePath: string,
  repoRoot: string,
  options: CostsByModuleOptions = {},
): Promise<InitCost[]> {
  const profile = JSON.parse(await readFile(profilePath, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  // A bundle (the gateway child as bench/gateway-bundle.ts builds it) names its sources through the
  // `.map` beside it: a frame's function starts in the module it came from.
  const maps = new Map<string, SourceMap | undefined>();
  for (const { url } of new Set(profile.nodes.map((node) => node.callFrame))) {
    if (!url.startsWith('file:') || maps.has(url)) continue;
    const mapPath = `${fileURLToPath(url)}.map`;
    maps.set(
      url,
      existsSync(mapPath)
        ? new SourceMap(JSON.parse(await readFile(mapPath, 'utf8')) as SourceMapPayload)
        : undefined,
    );
  }
  const moduleOfFrame = (frame: CallFrame): string => {
    const path = fileURLToPath(frame.url);
    const map = maps.get(frame.url);
    if (!map) return moduleOfSource(relative(repoRoot, path));
    const { originalSource } = map.findEntry(frame.lineNumber, frame.columnNumber) as {
      originalSource?: string;
    };
    return originalSource
      ? moduleOfSource(relative(repoRoot, resolve(dirname(path), originalSource)))
      : '(esbuild glue)';
  };
  const totals = new Map<string, number>();
  const cap = options.maxSampleMicros ?? Number.POSITIVE_INFINITY;
  let total = 0;
  profile.samples.forEach((id, index) => {
    const micros = Math.min(profile.timeDeltas[index] ?? 0, cap);
    const frame = nodes.get(id)?.callFrame;
    total += micros;
    if (!frame) return;
    let name: string;
    if (frame.url === '')
      name = frame.functionName.startsWith('(') ? frame.functionName : `(native) ${frame.functionName}`;
    else if (frame.url.startsWith('node:')) {
      const parts = frame.url.slice('node:'.length).split('/');
      const depth = options.nodeInternalsByFolder && parts[0] === 'internal' && parts.length > 2 ? 2 : 1;
      name = `(node) ${parts.slice(0, depth).join('/')}`;
    } else if (frame.url.startsWith('file:')) name = moduleOfFrame(frame);
    else name = '(other code)';
    totals.set(name, (totals.get(name) ?? 0) + micros);
  });
  return costsOf(totals, total);
}
