import { InitialSchema1764000000000 } from './1764000000000-InitialSchema';

/** Every migration in order. Listed explicitly so the build and the tests load the same classes. */
export const MIGRATIONS = [InitialSchema1764000000000];
