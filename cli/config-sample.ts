import { configSample, UnknownComponentError } from '../config/reference/sample.js';

/** `busbar config sample [COMPONENT]`: prints the commented sample; exit code 1 for an unknown component. */
export function configSampleCommand(component: string | undefined): number {
  try {
    process.stdout.write(configSample(component));
    return 0;
  } catch (error) {
    if (!(error instanceof UnknownComponentError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
}
