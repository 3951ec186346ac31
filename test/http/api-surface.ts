import { INestApplication, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';

/** Where `@Type(() => Dto)` of nested DTOs is kept; the package publishes its typings apart from the code. */
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

/** Where a parameter goes: a path segment, the query string, or a field of the body (a path into it). */
export type ParameterPlace = 'path' | 'query' | 'header' | 'body';

export interface ApiParameter {
  place: ParameterPlace;
  /** The name, or for a body field its path: `['analysis', 'checklist', 0, 'title']`. */
  path: (string | number)[];
}

export type BodyEncoding = 'json' | 'form' | 'multipart';

export interface ApiOperation {
  id: string;
  method: string;
  /** The path template of the document, `/api/calls/{id}`. */
  template: string;
  parameters: ApiParameter[];
  encodings: BodyEncoding[];
}

interface OpenApiOperation {
  operationId: string;
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema: OpenApiSchema }> };
}

interface OpenApiSchema {
  $ref?: string;
  oneOf?: OpenApiSchema[];
  properties?: Record<string, OpenApiSchema>;
}

const ENCODINGS: Record<string, BodyEncoding> = {
  'application/json': 'json',
  'application/x-www-form-urlencoded': 'form',
  'multipart/form-data': 'multipart',
};

/**
 * Every operation of the served OpenAPI document with every parameter it takes. Under ts-jest the Swagger CLI
 * plugin does not run, so the document lacks most DTO fields: they are read from the DTO classes' class-validator
 * metadata instead (the route's `@Query()`/`@Body()` class, or a class the document names by `$ref`), nested DTOs
 * included. `extra` adds what the document describes in words only.
 */
export function apiOperations(
  document: { paths: Record<string, Record<string, OpenApiOperation>> }, app: INestApplication, extra: Record<string, ApiParameter[]> = {},
): ApiOperation[] {
  const handlers = routeHandlers(app);
  return Object.entries(document.paths).flatMap(([template, item]) => Object.entries(item).map(([method, operation]) => {
    const handler = handlers.get(operation.operationId);
    const parameters = [
      ...(operation.parameters ?? []).map((parameter): ApiParameter => ({ place: parameter.in as ParameterPlace, path: [parameter.name] })),
      ...(handler ? handlerParameters(handler.controller, handler.method) : []),
      ...bodySchemaParameters(operation),
      ...(extra[operation.operationId] ?? []),
    ];
    return {
      id: operation.operationId,
      method: method.toUpperCase(),
      template,
      parameters: unique(parameters),
      encodings: Object.keys(operation.requestBody?.content ?? {}).map((type) => ENCODINGS[type]).filter(Boolean),
    };
  }));
}

function routeHandlers(app: INestApplication): Map<string, { controller: Type; method: string }> {
  const handlers = new Map<string, { controller: Type; method: string }>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) handlers.set(`${controller.name}_${method}`, { controller, method });
    }
  }
  return handlers;
}

/** The fields of the classes bound with `@Query()` and `@Body()`, and single `@Query('name')` values. */
function handlerParameters(controller: Type, method: string): ApiParameter[] {
  const args: Record<string, { index: number; data?: string }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {};
  const types: unknown[] = Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? [];
  return Object.entries(args).flatMap(([key, arg]) => {
    const kind = Number(key.split(':')[0]);
    const place: ParameterPlace | undefined = kind === RouteParamtypes.QUERY ? 'query' : kind === RouteParamtypes.BODY ? 'body' : undefined;
    if (!place) return [];
    if (arg.data) return [{ place, path: [arg.data] }];
    return dtoFields(types[arg.index]).map((path) => ({ place, path }));
  });
}

function bodySchemaParameters(operation: OpenApiOperation): ApiParameter[] {
  const schemas = Object.values(operation.requestBody?.content ?? {}).flatMap(({ schema }) => [schema, ...(schema.oneOf ?? [])]);
  return schemas.flatMap((schema) => {
    if (schema.$ref) return dtoFields(validatedClassNamed(schema.$ref.split('/').pop()!)).map((path) => ({ place: 'body' as const, path }));
    return Object.keys(schema.properties ?? {}).filter((name) => name !== 'file').map((name) => ({ place: 'body' as const, path: [name] }));
  });
}

function validatedClassNamed(name: string): unknown {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Type, unknown> };
  return [...storage.validationMetadatas.keys()].find((target) => target.name === name);
}

/** Paths to every validated field of a DTO class, into nested DTOs (an array of them through its first item). */
function dtoFields(type: unknown, depth = 0): (string | number)[][] {
  if (typeof type !== 'function' || depth > 4) return [];
  const metadata = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
  const properties = [...new Set(metadata.map((item) => item.propertyName))];
  return properties.flatMap((property) => {
    const nested = metadata.find((item) => item.propertyName === property && item.type === 'nestedValidation');
    const nestedType = nested && defaultMetadataStorage.findTypeMetadata(type, property)?.typeFunction();
    if (!nestedType) return [[property]];
    const prefix = nested.each ? [property, 0] : [property];
    return [[property], ...dtoFields(nestedType, depth + 1).map((path) => [...prefix, ...path])];
  });
}

function unique(parameters: ApiParameter[]): ApiParameter[] {
  const seen = new Set<string>();
  return parameters.filter((parameter) => {
    const key = `${parameter.place}:${parameter.path.join('.')}`;
    return !seen.has(key) && Boolean(seen.add(key));
  });
}
