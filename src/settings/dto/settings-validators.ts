import { applyDecorators } from '@nestjs/common';
import { Equals, IsString, Matches, ValidateIf, ValidationOptions, registerDecorator } from 'class-validator';
import { isTimeZone } from '../../common/time-zone';

/** May be left out of a partial update, but never set to null (unlike `@IsOptional`). */
export const Optional = () => ValidateIf((_object, value) => value !== undefined);

/** Shown in responses, refused in updates with a message naming the field. Pair with `@ApiHideProperty()`. */
export const ReadOnly = () => Equals(undefined, { message: '$property is read-only and cannot be changed' });

/** Local time of day as HH:MM, 24-hour clock. */
export const IsClockTime = () =>
  applyDecorators(IsString(), Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: '$property must be a time as HH:MM (00:00–23:59)' }));

export function IsIanaTimeZone(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isIanaTimeZone',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be an IANA time zone such as Europe/Moscow', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && value.length <= 64 && isTimeZone(value) },
    });
}
