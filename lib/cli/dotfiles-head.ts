// Which commit ~/.dotfiles is at, read from .git/HEAD and the ref it names (loose, else
// packed-refs), the way git itself resolves a symbolic HEAD, through readInside only.
import { kindInside, readInside } from './read-inside';

export interface DotfilesState {
  present: boolean;
  /** The ref HEAD names (`refs/heads/main`), or null when HEAD is detached. */
  ref: string | null;
  commit: string | null;
  shallow: boolean;
  /** Why the commit could not be read, when it could not. */
  problem: string | null;
}

const gitDir = '.dotfiles/.git';
/** HEAD and a loose ref are one line; 4 KiB is far above any real one. */
const smallFileBytes = 4096;
/** packed-refs of a dotfiles clone is tiny; this only bounds a hostile one. */
const packedRefsBytes = 4 * 1024 * 1024;
/** SHA-1 (40) or SHA-256 (64) object ids. */
const objectId = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** A ref name as git accepts it in HEAD, and safe to join below .git (no `..`, no empty part). */
function safeRefName(ref: string): boolean {
  return ref.startsWith('refs/') && ref.split('/').every((part) => part !== '' && part !== '.' && part !== '..') && !ref.includes('\0');
}

export async function dotfilesState(home: string): Promise<DotfilesState> {
  const state: DotfilesState = { present: false, ref: null, commit: null, shallow: false, problem: null };
  const top = await kindInside(home, '.dotfiles');
  if (top === 'missing') return state;
  state.present = true;
  if (top !== 'directory') return { ...state, problem: `.dotfiles is a ${top}, not a directory (not followed)` };
  const git = await kindInside(home, gitDir);
  if (git !== 'directory') {
    return { ...state, problem: git === 'missing' ? '.dotfiles is not a git checkout' : `${gitDir} is a ${git} (not followed)` };
  }
  state.shallow = (await kindInside(home, `${gitDir}/shallow`)) === 'file';

  const head = await readInside(home, `${gitDir}/HEAD`, smallFileBytes);
  if (head.kind !== 'file') return { ...state, problem: head.kind === 'missing' ? `${gitDir}/HEAD is missing` : head.reason };
  const headText = head.text.trim();
  if (objectId.test(headText)) return { ...state, commit: headText };
  const symbolic = /^ref: (\S+)$/.exec(headText);
  if (!symbolic?.[1] || !safeRefName(symbolic[1])) return { ...state, problem: `${gitDir}/HEAD is not a ref or an object id` };
  const ref = symbolic[1];
  state.ref = ref;

  const loose = await readInside(home, `${gitDir}/${ref}`, smallFileBytes);
  if (loose.kind === 'file') {
    const commit = loose.text.trim();
    return objectId.test(commit) ? { ...state, commit } : { ...state, problem: `${gitDir}/${ref} does not hold an object id` };
  }
  if (loose.kind === 'refused') return { ...state, problem: loose.reason };
  const packed = await readInside(home, `${gitDir}/packed-refs`, packedRefsBytes);
  if (packed.kind === 'file') {
    for (const line of packed.text.split('\n')) {
      const [id, name] = line.split(' ');
      if (name === ref && id !== undefined && objectId.test(id)) return { ...state, commit: id };
    }
  }
  return { ...state, problem: packed.kind === 'refused' ? packed.reason : `${ref} is not in the repository (unborn branch?)` };
}
