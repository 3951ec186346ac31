import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { BodyTooDeepError, limitBodyDepth, MAX_BODY_DEPTH } from '../../src/common/body-depth';
import { isCallStartTime, isDayInWindow } from '../../src/common/date-window';
import { resolveDateRange } from '../../src/common/periods';
import { isRowIdText, MAX_ROW_ID, ParseRowIdPipe } from '../../src/common/row-id';
import { findUnstorableText, isStorableText } from '../../src/common/storable-text';

describe('text PostgreSQL can store', () => {
  it('is any well-formed text without NUL', () => {
    expect(isStorableText('Анна 😀 \uFFFF')).toBe(true);
    expect(isStorableText('a\0b')).toBe(false);
    expect(isStorableText('\uD800')).toBe(false);
    expect(isStorableText('x\uDC00')).toBe(false);
    expect(isStorableText('\uDC00\uD800')).toBe(false);
  });

  it('is looked for in keys and values at any depth, and the first bad one is named', () => {
    expect(findUnstorableText({ a: ['ok', { b: 'fine' }] })).toBeUndefined();
    expect(findUnstorableText({ dictionaries: { products: ['CRM', 'a\0'] } })).toBe('dictionaries.products.1');
    expect(findUnstorableText({ analysis: { 'bad\0key': 1 } })).toBe('analysis');
    expect(findUnstorableText('\uD800', 'q')).toBe('q');
    expect(findUnstorableText(['\0'])).toBe('0');
    expect(findUnstorableText(12)).toBeUndefined();
  });
});

describe('row ids', () => {
  const pipe = new ParseRowIdPipe();

  it('run from 1 to the largest int4', () => {
    expect(isRowIdText('1')).toBe(true);
    expect(isRowIdText(String(MAX_ROW_ID))).toBe(true);
    expect(isRowIdText('0002147483647')).toBe(true);
    expect(isRowIdText('2147483648')).toBe(false);
    expect(isRowIdText('0')).toBe(false);
    expect(isRowIdText('-1')).toBe(false);
    expect(isRowIdText('1e3')).toBe(false);
  });

  it('in a path are a 400 naming the parameter when out of range', () => {
    expect(pipe.transform('42', { type: 'param', data: 'id' })).toBe(42);
    expect(pipe.transform(42, { type: 'param', data: 'id' })).toBe(42);
    for (const value of ['2147483648', '-2147483649', 'abc', 1.5, 2 ** 31, NaN]) {
      expect(() => pipe.transform(value, { type: 'param', data: 'id' })).toThrow(new BadRequestException('id: must be an id, an integer from 1 to 2147483647'));
    }
  });
});

describe('the date window', () => {
  const now = new Date('2026-06-15T12:00:00Z');

  it('runs from 2000-01-01 to the end of the fifth year ahead', () => {
    expect(isDayInWindow('2000-01-01', now)).toBe(true);
    expect(isDayInWindow('2031-12-31', now)).toBe(true);
    expect(isDayInWindow('1999-12-31', now)).toBe(false);
    expect(isDayInWindow('2032-01-01', now)).toBe(false);
    expect(isDayInWindow('2026-02-30', now)).toBe(false);
  });

  it('bounds period filters with a 400 naming the parameter', () => {
    expect(() => resolveDateRange({ from: '0001-01-01' }, 'Europe/Moscow', now)).toThrow('from: must be a date as YYYY-MM-DD from 2000-01-01 to 2031-12-31');
    expect(() => resolveDateRange({ to: '9999-12-31' }, 'Europe/Moscow', now)).toThrow('to: must be a date as YYYY-MM-DD from 2000-01-01 to 2031-12-31');
    expect(resolveDateRange({ to: '2026-01-31' }, 'Europe/Moscow', now)).toMatchObject({ firstDay: '2000-01-01', lastDay: '2026-01-31' });
  });

  it('takes a call start from 2000 to a day ahead', () => {
    expect(isCallStartTime('2000-01-01T00:00:00Z', now)).toBe(true);
    expect(isCallStartTime('2026-06-16T11:59:59Z', now)).toBe(true);
    expect(isCallStartTime('2026-06-16T12:00:01Z', now)).toBe(false);
    expect(isCallStartTime('1999-12-31T23:59:59Z', now)).toBe(false);
    expect(isCallStartTime('9999-12-31T00:00:00Z', now)).toBe(false);
    expect(isCallStartTime('2026-W24-1', now)).toBe(false);
    expect(isCallStartTime(20260615, now)).toBe(false);
  });
});

describe('the body depth limit', () => {
  const run = (body: unknown) => {
    let passed: unknown = 'not called';
    limitBodyDepth({ body } as Request, {} as Response, ((error?: unknown) => (passed = error)) as NextFunction);
    return passed;
  };
  const nested = (depth: number): unknown => (depth === 0 ? 1 : [nested(depth - 1)]);

  it(`takes ${MAX_BODY_DEPTH} levels and refuses one more with a 400 the body parser's way`, () => {
    expect(run(nested(MAX_BODY_DEPTH))).toBeUndefined();
    const error = run(nested(MAX_BODY_DEPTH + 1));
    expect(error).toBeInstanceOf(BodyTooDeepError);
    expect(error).toMatchObject({ status: 400, type: 'entity.too.deep', expose: true, message: 'Request body is nested more than 32 levels deep' });
    expect(run(undefined)).toBeUndefined();
  });
});
