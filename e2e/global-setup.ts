import { ensureBuilt } from '../scripts/studio';

export default async function globalSetup() {
  await ensureBuilt((m) => console.log(m));
}
