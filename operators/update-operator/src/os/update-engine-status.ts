import { z } from 'zod';
import { UPDATE_STATUSES, type UpdateEngineStatus } from '@strata/api';

// int64 arrives as a bigint; seconds and bytes fit a double exactly far beyond any real value.
const int64 = z.union([z.bigint(), z.int()]).transform(Number);

/** update_engine's status as GetStatus answers it and StatusUpdate carries it (signature xdssx). */
export const updateEngineStatusBody = z
  .tuple([int64, z.number(), z.enum(UPDATE_STATUSES), z.string(), int64])
  .transform(([lastCheckedTime, progress, currentOperation, newVersion, newSize]): UpdateEngineStatus => ({
    lastCheckedTime,
    progress,
    currentOperation,
    newVersion,
    newSize,
  }));
