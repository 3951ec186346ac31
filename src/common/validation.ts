import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

function describe(error: ValidationError, prefix = ''): string[] {
  const path = `${prefix}${error.property}`;
  const own = Object.values(error.constraints ?? {}).map((text) => `${path}: ${text.replace(new RegExp(`^${error.property} `), '')}`);
  const nested = (error.children ?? []).flatMap((child) => describe(child, `${path}.`));
  return [...own, ...nested];
}

/** Whitelisting, transforming validation whose 400 names every bad parameter. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new BadRequestException(errors.flatMap((error) => describe(error)).join('; ')),
  });
}
