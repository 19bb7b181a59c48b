'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { api } from '@/lib/api-client';
import { fail, ok, type ActionResult } from '@/lib/action-result';

export async function markNotificationRead(notificationId: string): Promise<ActionResult<null>> {
  if (!z.uuid().safeParse(notificationId).success)
    return fail({ status: 400, code: 'validation_failed', title: 'Not a notification id' });
  const res = await api.post(`/v1/portal/notifications/${notificationId}/read`);
  if (!res.ok) return fail(res.problem);
  // The bell in the header counts unread ones: the whole layout renders again.
  revalidatePath('/', 'layout');
  return ok(null);
}

export async function markAllNotificationsRead(): Promise<ActionResult<null>> {
  const res = await api.post('/v1/portal/notifications/read-all');
  if (!res.ok) return fail(res.problem);
  revalidatePath('/', 'layout');
  return ok(null);
}
