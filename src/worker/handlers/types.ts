// A handler: one command's args and the worker state in, its result out; events go to `emit`.
import type { ArgsOf, CommandName, ResultOf, WorkerEvent } from '../../shared/protocol';
import type { WorkerState } from '../state';

export type Emit = (e: WorkerEvent) => void;
export type Handler<K extends CommandName> = (
  args: ArgsOf<K>,
  st: WorkerState,
  emit: Emit,
) => Promise<ResultOf<K>> | ResultOf<K>;
export type Handlers<K extends CommandName = CommandName> = { [P in K]: Handler<P> };
