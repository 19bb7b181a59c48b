'use client';

import { notifications } from '@mantine/notifications';
import type { Problem } from './action-result';

interface ErrorSink {
  setFieldError: (path: string, error: string) => void;
}

/**
 * Shows an API problem on a form: field errors under their inputs (the API's `field` names are
 * the form's value paths), everything else as a notification.
 */
export function showProblem(problem: Problem, form?: ErrorSink): void {
  if (form && problem.errors?.length) {
    for (const e of problem.errors) form.setFieldError(e.field, e.message);
  }
  notifications.show({
    color: 'red',
    title: problem.title,
    message: problem.errors?.length
      ? problem.errors.map((e) => `${e.field}: ${e.message}`).join('; ')
      : (problem.detail ?? problem.code),
  });
}

export function showSuccess(message: string): void {
  notifications.show({ color: 'teal', message });
}
