// Progress of one materialization on stderr: on a terminal, one line redrawn in place with `\r`;
// otherwise (a pipe, a log file) one plain line per step, so logs stay readable.
import type { ClonePhase, CloneProgress, MaterializePhase, MaterializeProgress } from '../../index';
import { formatBytes } from './output';

export interface ProgressDisplay {
  update(progress: MaterializeProgress): void;
  /** Leaves the terminal on a fresh line. */
  end(): void;
}

const cloneDetail = (clone: CloneProgress): string => {
  const parts: string[] = [clone.phase];
  if (clone.totalObjects > 0 || clone.receivedObjects > 0) {
    parts.push(`${clone.receivedObjects}/${clone.totalObjects} objects`);
  }
  parts.push(formatBytes(clone.receivedBytes));
  if (clone.totalFiles > 0) parts.push(`${clone.checkedOutFiles}/${clone.totalFiles} files`);
  return parts.join(', ');
};

const describe = (progress: MaterializeProgress): string =>
  progress.clone ? `${progress.phase}: ${cloneDetail(progress.clone)}` : progress.phase;

/** Erase the line (`ESC [ 2 K`) after the carriage return, so a shorter line leaves no tail. */
const CLEAR_LINE = '\r\x1b[2K';

function terminalDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  let drawn = false;
  return {
    update(progress) {
      const columns = stream.columns || 80;
      const line = `spoon-home: ${describe(progress)}`.slice(0, columns - 1);
      stream.write(`${CLEAR_LINE}${line}`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

function plainDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  // One line per materialize phase and per clone phase: the byte counts of every tick would
  // flood a log.
  let lastPhase: MaterializePhase | undefined;
  let lastClonePhase: ClonePhase | undefined;
  return {
    update(progress) {
      const clonePhase = progress.clone?.phase;
      if (progress.phase === lastPhase && clonePhase === lastClonePhase) return;
      lastPhase = progress.phase;
      lastClonePhase = clonePhase;
      stream.write(`spoon-home: ${describe(progress)}\n`);
    },
    end() {},
  };
}

export function progressDisplay(stream: NodeJS.WriteStream, enabled: boolean): ProgressDisplay {
  if (!enabled) return { update() {}, end() {} };
  return stream.isTTY ? terminalDisplay(stream) : plainDisplay(stream);
}
