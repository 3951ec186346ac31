import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { safeEqual } from './safe-equal';

const PUBLIC_ROUTE = 'publicRoute';
/** A route reachable without the API token (health, incoming webhooks, signed audio links). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Which credential made a request, for audit trails such as settings history. */
export function requestActor(request: Request): string {
  return (request as Request & { actor?: string }).actor ?? 'open-api';
}

/** Whether the request carries `Authorization: Bearer <token>`; also for public routes that tell token holders more. */
export function carriesApiToken(request: Request, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  return Boolean(match && safeEqual(match[1].trim(), token));
}

/** With API_TOKEN set, every non-public route needs `Authorization: Bearer <API_TOKEN>`. */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]);
    const request = context.switchToHttp().getRequest<Request & { actor?: string }>();
    if (!this.config.apiToken) {
      request.actor = 'open-api';
      return true;
    }
    if (isPublic) return true;
    if (!carriesApiToken(request, this.config.apiToken)) {
      throw new UnauthorizedException('A valid "Authorization: Bearer <API_TOKEN>" header is required');
    }
    request.actor = 'api-token';
    return true;
  }
}
