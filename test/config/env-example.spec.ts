import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Environment, validateEnvironment } from '../../src/config/environment';

describe('.env.example', () => {
  const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
  const listed = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]));
  const accepted = new Set(getMetadataStorage().getTargetValidationMetadatas(Environment, '', true, false).map((meta) => meta.propertyName));

  it('lists and explains every variable the service accepts, and no other', () => {
    expect([...accepted].filter((name) => !listed.has(name))).toEqual([]);
    expect([...listed].filter((name) => !accepted.has(name))).toEqual([]);
  });

  it('is itself a valid configuration', () => {
    const values = Object.fromEntries([...example.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((match) => [match[1], match[2]]));
    expect(() => validateEnvironment(values)).not.toThrow();
  });
});
