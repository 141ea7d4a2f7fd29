import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../../shared/api/endpoints';
import { companyDirectory } from '../directory/company-directory';
import { apiRoute } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';

/** The company directory for any signed-in person of a company (the app's Contacts). */
export function registerDirectoryRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  apiRoute(app, ctx, endpoints.directory, ({ principal }) => companyDirectory(ctx.repository.store, principal.user));
}
