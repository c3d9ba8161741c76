// tfjs-core op specs we do not hold our kernels to, each with the reason. A rule matches when
// the spec's full name contains `match`. `skip`: not run at all (e.g. it would hang or take
// minutes on SwiftShader); otherwise it runs and a failure is tolerated and reported.
export interface Exclusion {
  match: string;
  reason: string;
  skip?: boolean;
}

export const EXCLUSIONS: Exclusion[] = [];

export function exclusionFor(fullName: string): Exclusion | undefined {
  return EXCLUSIONS.find((e) => fullName.includes(e.match));
}
