/**
 * File names and paths in a torrent: what makes a name or path component unusable, and which
 * paths clash (two files at one path, or a file that is also another's directory). Used both
 * when parsing a .torrent (metainfo.ts) and when creating one (create.ts).
 */

/** Why `segment` cannot be a file name or path component, or undefined when it can. */
export function pathComponentProblem(segment: string): string | undefined {
  if (segment.length === 0) return 'is empty';
  if (segment === '.' || segment === '..') return `is '${segment}'`;
  if (segment.includes('/')) return "contains '/'";
  if (segment.includes('\\')) return "contains '\\'";
  if (segment.includes('\0')) return 'contains a NUL character';
  return undefined;
}

/** `text` as a JSON string for a message, cut after 60 characters. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

interface PathNode {
  file: boolean;
  /** Made for the first path below this one (most nodes are files, which have none). */
  children: Map<string, PathNode> | undefined;
}

/** The paths seen so far, as a tree of their components. */
export class PathTree {
  private readonly root: PathNode = { file: false, children: undefined };

  /** Adds a file's path; what is wrong when it clashes with one added before, else undefined. */
  add(segments: readonly string[]): string | undefined {
    let node = this.root;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      node.children ??= new Map();
      let next = node.children.get(seg);
      const last = i === segments.length - 1;
      if (next === undefined) {
        next = { file: false, children: undefined };
        node.children.set(seg, next);
      } else if (last || next.file) {
        const at = quote(segments.slice(0, i + 1).join('/'));
        return last && next.file ? `two files have the same path ${at}` : `${at} is both a file and a directory`;
      }
      node = next;
    }
    node.file = true;
    return undefined;
  }
}

/**
 * Finds two files with the same path, or a file whose path is also a directory of another;
 * returns what is wrong, or undefined. Linear in the total number of path components.
 */
export function findPathConflict(paths: readonly (readonly string[])[]): string | undefined {
  const tree = new PathTree();
  for (const segments of paths) {
    const conflict = tree.add(segments);
    if (conflict !== undefined) return conflict;
  }
  return undefined;
}
