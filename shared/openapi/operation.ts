import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import type { Role } from '../model/identity';
import { problemSchema } from './problemSchema';

export interface Operation extends Omit<RouteConfig, 'responses' | 'security'> {
  /** Roles allowed, or anonymous. */
  roles: Role[] | 'anonymous';
  responses: RouteConfig['responses'];
}

export const jsonContent = (schema: z.ZodType) => ({ 'application/json': { schema } });

export const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
