import type { Dirent } from "node:fs";
import { readdirSync, realpathSync, statSync } from "node:fs";
import { basename, join } from "node:path";

/** Bandit's default excluded directory names (fnmatch patterns on the directory name). */
export const DEFAULT_EXCLUDE_DIRS: readonly string[] = [".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".eggs", "*.egg"];

export interface FileListing {
  files: string[];
  /** Paths that could not be read (missing, unreadable), with the reason. */
  errors: { filename: string; reason: string }[];
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
}

/** Keep Bandit's display form: `dir/x.py` as the user spelled `dir` (`./x.py` for `.`). */
function joinDisplay(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/**
 * Expand scan targets: files are taken as given; directories are walked recursively for *.py and
 * *.pyw. Directory symlinks are not followed (as os.walk), and a directory reached twice by its real
 * path is skipped, so symlink loops end. Nothing is opened here: whether a listed path is a
 * regular file is decided when it is read (scan/read.ts), each other kind a per-file error.
 */
export function listPythonFiles(targets: readonly string[], excludeDirs: readonly string[] = DEFAULT_EXCLUDE_DIRS): FileListing {
  const excludes = excludeDirs.map((p) => ({ glob: globToRegExp(p.replace(/\/+$/, "")), raw: p.replace(/\/+$/, "") }));
  const isExcluded = (display: string) => {
    const name = basename(display);
    return excludes.some((e) => e.glob.test(name) || (e.raw.includes("/") && display.replace(/^\.\//, "").includes(e.raw.replace(/^\.\//, ""))));
  };
  const out: FileListing = { files: [], errors: [] };
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const addFile = (display: string) => {
    if (!seenFiles.has(display)) {
      seenFiles.add(display);
      out.files.push(display);
    }
  };
  for (const target of targets) {
    let st;
    try {
      st = statSync(target);
    } catch (err) {
      out.errors.push({ filename: target, reason: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      continue;
    }
    if (!st.isDirectory()) {
      addFile(target);
      continue;
    }
    const stack: string[] = [target];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      let real: string;
      try {
        real = realpathSync(dir);
      } catch {
        continue;
      }
      if (seenDirs.has(real)) continue;
      seenDirs.add(real);
      let entries: Dirent[];
      try {
        // Entry types come with the listing (as lstat would give them), so a file costs no
        // syscall of its own; Node falls back to lstat where the file system does not say.
        entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      } catch (err) {
        out.errors.push({ filename: dir, reason: `cannot list directory: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
        continue;
      }
      const subdirs: string[] = [];
      for (const entry of entries) {
        const name = entry.name;
        const display = joinDisplay(dir, name);
        if (entry.isDirectory()) {
          if (!isExcluded(display)) subdirs.push(display);
        } else if (/\.pyw?$/.test(name) && !entry.isSymbolicLink()) {
          // Regular files, and also FIFOs, sockets and devices named *.py: the reader reports
          // each of those as an error of its own instead of blocking on it or reading forever.
          addFile(display);
        } else if (/\.pyw?$/.test(name)) {
          // A symlink: followed to a regular file; one to a directory is not walked (as os.walk);
          // one to anything else (a device, a FIFO, nothing) is listed so the reader reports it.
          let target;
          try {
            target = statSync(join(dir, name));
          } catch {
            target = null;
          }
          if (!target?.isDirectory()) addFile(display);
        }
      }
      // Depth-first in name order.
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
    }
  }
  out.files.sort();
  return out;
}
