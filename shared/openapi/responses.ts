import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { problemSchema } from './problemSchema';

/** Building blocks of the responses routes document. */

export const jsonContent = (schema: z.ZodType) => ({ 'application/json': { schema } });

export const jsonResponse = (
  description: string,
  schema: z.ZodType,
  headers?: z.ZodObject,
): ResponseConfig => ({
  description,
  ...(headers ? { headers } : {}),
  content: jsonContent(schema),
});

export const textResponse = (description: string, mediaType: 'text/html' | 'text/csv'): ResponseConfig => ({
  description,
  content: { [mediaType]: { schema: z.string() } },
});

export const problem = (description: string): ResponseConfig => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
