import { z } from 'zod';

/** A whole number setting with its default and lowest value. */
export const int = (fallback: number, min: number, description: string) =>
  z.coerce.number().int().min(min).default(fallback).describe(description);

/** A share between 0 and 1. */
export const share = (fallback: number, description: string) =>
  z.coerce.number().min(0).max(1).default(fallback).describe(description);
