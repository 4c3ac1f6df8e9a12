// The shim's one validation vocabulary: the checks settings, clone, write-files and the CLI share,
// with the addon's own bounds as the rule (src/addon/home_args.cc), so that what configure()
// accepts is what the addon accepts.
import type { CloneProtocol } from '../index';
import { native } from './native';

/** Every protocol a clone may be allowed, in the order messages list them. */
export const cloneProtocols: readonly CloneProtocol[] = ['https', 'http', 'ssh', 'git', 'file'];

/** A limit, a count or a duration: a safe integer above 0. */
export const isPositiveInteger = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

/**
 * A uid or gid: 32 bits, and never 0xffffffff, which chown and fchownat read as "leave the owner
 * unchanged" ((uid_t)-1), so it cannot name an owner.
 */
export const isId = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) < 0xffffffff;

export const isCloneProtocolList = (value: unknown): value is CloneProtocol[] =>
  Array.isArray(value) && value.every((p) => cloneProtocols.includes(p));

/** The CloneProtocol `value` names, or undefined. */
export const cloneProtocolNamed = (value: string): CloneProtocol | undefined => cloneProtocols.find((p) => p === value);

/**
 * Why `value` is not a list of CIDR networks, or undefined: the addon's own parser decides, the
 * one the clone uses (src/core/git/address_policy.h).
 */
export function allowedNetworksProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'must be a list of CIDR strings';
  return native().checkAllowedNetworks(value);
}
