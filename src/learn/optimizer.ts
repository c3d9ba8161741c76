// fastai's Optimizer: per-parameter state threaded through a list of small "stepper" functions.
// Source: fastai/optimizer.py (weight_decay, l2_reg, average_grad, average_sqr_grad, step_stat,
// debias, adam_step, momentum_step, sgd_step, SGD, Adam, set_hyper).
import * as tf from '@tensorflow/tfjs';
import { groupValues, type Lr } from '../shared/schedule';

export type Hypers = Record<string, number>;
/** A parameter's optimizer state: tensors (moving averages) and numbers (step count, do_wd). */
export type State = Record<string, tf.Tensor | number | boolean | undefined>;
/** What a stepper sees: the param's state and its group's hypers, plus the gradient. */
export type StepArgs = State & { grad: tf.Tensor };

/** A stepper updates `p` in place and/or returns new state; `defaults` are its hypers' defaults. */
export interface Stepper {
  (p: tf.Variable, a: StepArgs): State | void;
  defaults?: Hypers;
}

const stepper = (f: Stepper, defaults: Hypers = {}): Stepper => Object.assign(f, { defaults });
const num = (a: StepArgs, k: string) => a[k] as number;

// ************* steppers *************

/** Decoupled weight decay (AdamW): p *= 1 - lr*wd. */
export const weightDecay = stepper(
  (p, a) => {
    if (a.do_wd !== false && num(a, 'wd') !== 0)
      p.assign(tf.mul(p, 1 - num(a, 'lr') * num(a, 'wd')));
  },
  { wd: 0 },
);

/** Classic L2 regularisation: grad += wd*p. */
export const l2Reg = stepper(
  (_p, a) => {
    if (a.do_wd !== false && num(a, 'wd') !== 0)
      return { grad: tf.add(a.grad, tf.mul(_p, num(a, 'wd'))) };
  },
  { wd: 0 },
);

/** grad_avg = mom*grad_avg + damp*grad (damp = 1-mom with dampening, as Adam uses). */
export const averageGrad = (dampening = false) =>
  stepper(
    (_p, a) => {
      const mom = num(a, 'mom');
      const prev = (a.grad_avg as tf.Tensor | undefined) ?? tf.zerosLike(a.grad);
      return { grad_avg: tf.add(tf.mul(prev, mom), tf.mul(a.grad, dampening ? 1 - mom : 1)) };
    },
    { mom: 0.9 },
  );

/** sqr_avg = sqr_mom*sqr_avg + (1-sqr_mom)*grad^2. */
export const averageSqrGrad = stepper(
  (_p, a) => {
    const m = num(a, 'sqr_mom');
    const prev = (a.sqr_avg as tf.Tensor | undefined) ?? tf.zerosLike(a.grad);
    return { sqr_avg: tf.add(tf.mul(prev, m), tf.mul(tf.square(a.grad), 1 - m)) };
  },
  { sqr_mom: 0.99 },
);

export const stepStat = stepper((_p, a) => ({ step: ((a.step as number | undefined) ?? 0) + 1 }));

/** fastai debias: damp * (1 - mom^step) / (1 - mom). */
export const debias = (mom: number, damp: number, step: number) =>
  (damp * (1 - mom ** step)) / (1 - mom);

export const adamStep = stepper(
  (p, a) => {
    const [mom, sqrMom, step] = [num(a, 'mom'), num(a, 'sqr_mom'), num(a, 'step')];
    const debias1 = debias(mom, 1 - mom, step);
    const debias2 = debias(sqrMom, 1 - sqrMom, step);
    const denom = tf.add(tf.sqrt(tf.div(a.sqr_avg as tf.Tensor, debias2)), num(a, 'eps'));
    p.assign(tf.sub(p, tf.mul(tf.div(a.grad_avg as tf.Tensor, denom), num(a, 'lr') / debias1)));
  },
  { eps: 1e-5 },
);

export const momentumStep = stepper(
  (p, a) => void p.assign(tf.sub(p, tf.mul(a.grad_avg as tf.Tensor, num(a, 'lr')))),
);
export const sgdStep = stepper((p, a) => void p.assign(tf.sub(p, tf.mul(a.grad, num(a, 'lr')))));

// ************* the optimizer *************

export interface ParamGroup {
  keys: string[];
}

export class Optimizer {
  /** One hypers object per parameter group (fastai opt.hypers). */
  hypers: Hypers[];
  state = new Map<string, State>();

  constructor(
    public params: Map<string, tf.Variable>,
    public groups: string[][],
    public steppers: Stepper[],
    hypers: Hypers,
    /** Params that get no weight decay (fastai wd_bn_bias=False: BN and bias params). */
    noWd: Set<string> = new Set(),
  ) {
    const defaults = Object.assign({}, ...steppers.map((s) => s.defaults ?? {}), hypers) as Hypers;
    this.hypers = groups.map(() => ({ ...defaults }));
    for (const k of noWd) this.state.set(k, { do_wd: false });
  }

  /** fastai set_hyper: a number, per-group list, or slice. */
  setHyper(k: string, v: Lr) {
    groupValues(v, this.hypers.length).forEach((x, i) => (this.hypers[i][k] = x));
  }

  /** Apply one step to every param that has a gradient in `grads` (keyed by param key). */
  step(grads: Map<string, tf.Tensor>) {
    this.groups.forEach((keys, g) => {
      for (const key of keys) {
        const grad = grads.get(key);
        if (!grad) continue;
        const p = this.params.get(key)!;
        const old = this.state.get(key) ?? {};
        const next = tf.tidy(() => {
          let s: StepArgs = { ...old, ...this.hypers[g], grad };
          for (const cb of this.steppers) s = { ...s, ...(cb(p, s) ?? {}) };
          // Keep only the state (tensors made here survive the tidy because they are returned).
          const { grad: _g, ...rest } = s;
          return Object.fromEntries(
            Object.entries(rest).filter(([k]) => !(k in this.hypers[g])),
          ) as tf.TensorContainer;
        }) as State;
        for (const [k, v] of Object.entries(old))
          if (v instanceof tf.Tensor && next[k] !== v) v.dispose();
        this.state.set(key, next);
      }
    });
  }

  /** A bit-exact copy of the state and hypers (for lr_find and checkpoints). */
  snapshot(): { state: Map<string, State>; hypers: Hypers[] } {
    const copy = (s: State) =>
      Object.fromEntries(
        Object.entries(s).map(([k, v]) => [k, v instanceof tf.Tensor ? tf.clone(v) : v]),
      );
    return {
      state: new Map([...this.state].map(([k, s]) => [k, copy(s)])),
      hypers: this.hypers.map((h) => ({ ...h })),
    };
  }

  /** Take over a snapshot (its tensors now belong to the optimizer). */
  restore(snap: { state: Map<string, State>; hypers: Hypers[] }) {
    this.dispose();
    this.state = snap.state;
    this.hypers = snap.hypers;
  }

  /** fastai clear_state: drop the moving averages, keep `do_wd`. */
  clearState() {
    for (const [k, s] of this.state) {
      for (const v of Object.values(s)) if (v instanceof tf.Tensor) v.dispose();
      if (s.do_wd === false) this.state.set(k, { do_wd: false });
      else this.state.delete(k);
    }
  }

  dispose() {
    this.clearState();
    this.state.clear();
  }
}

/** Makes an optimizer for a model's param groups; this is what Learner's `optFunc` is. */
export type OptFunc = (
  params: Map<string, tf.Variable>,
  groups: string[][],
  noWd: Set<string>,
) => Optimizer;

/** fastai Adam's defaults (the reproduction script spells them out). */
export const ADAM_DEFAULTS = { mom: 0.9, sqrMom: 0.99, eps: 1e-5, wd: 0.01 };

/** fastai Adam: decoupled wd, dampened first moment, debiased (AdamW). */
export const Adam =
  ({
    lr = 1e-3,
    mom = ADAM_DEFAULTS.mom,
    sqrMom = ADAM_DEFAULTS.sqrMom,
    eps = ADAM_DEFAULTS.eps,
    wd = ADAM_DEFAULTS.wd,
    decoupleWd = true,
  } = {}): OptFunc =>
  (params, groups, noWd) =>
    new Optimizer(
      params,
      groups,
      [decoupleWd ? weightDecay : l2Reg, averageGrad(true), averageSqrGrad, stepStat, adamStep],
      { lr, mom, sqr_mom: sqrMom, eps, wd },
      noWd,
    );

/** fastai SGD: plain steps without momentum, undampened momentum otherwise. */
export const SGD =
  ({ lr = 1e-3, mom = 0, wd = 0, decoupleWd = true } = {}): OptFunc =>
  (params, groups, noWd) =>
    new Optimizer(
      params,
      groups,
      [
        decoupleWd ? weightDecay : l2Reg,
        ...(mom !== 0 ? [averageGrad(false), momentumStep] : [sgdStep]),
      ],
      { lr, mom, wd },
      noWd,
    );
