import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { findUnstorableText, unstorableTextError } from './storable-text';

function describe(error: ValidationError, prefix = ''): string[] {
  const path = `${prefix}${error.property}`;
  const own = Object.values(error.constraints ?? {}).map((text) => `${path}: ${text.replace(new RegExp(`^${error.property} `), '')}`);
  const nested = (error.children ?? []).flatMap((child) => describe(child, `${path}.`));
  return [...own, ...nested];
}

/**
 * Validates a DTO after checking that its text can be stored: every string, key or value, of every parameter is
 * refused with a 400 naming it when it holds a NUL or a lone surrogate, which PostgreSQL would refuse with a 500.
 */
class StorableInputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (this.toValidate(metadata)) {
      const path = findUnstorableText(value, metadata.data ?? '');
      if (path) throw unstorableTextError(path);
    }
    return super.transform(value, metadata);
  }
}

/** Whitelisting, transforming validation whose 400 names every bad parameter. */
export function createValidationPipe(): ValidationPipe {
  return new StorableInputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new BadRequestException(errors.flatMap((error) => describe(error)).join('; ')),
  });
}
