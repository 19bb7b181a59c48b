import { api } from '@/lib/api-client';
import type { NotificationPage } from '@apim/contracts/management';
import { EmptyState, ErrorState, PageHeader } from '@/components/states';
import { Pager } from '@/components/pager';
import { MarkAllReadButton, NotificationList } from '@/components/notifications/notification-list';

export const metadata = { title: 'Notifications' };

const PAGE_SIZE = 25;

export default async function NotificationsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const offset = Math.max(0, Number.parseInt(sp.offset ?? '0', 10) || 0);
  const res = await api.get<NotificationPage>('/v1/portal/notifications', { query: { limit: PAGE_SIZE, offset } });
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Quota alerts, keys created, revoked or about to expire, and changes to your account and plans."
        actions={res.ok ? <MarkAllReadButton disabled={res.data.unreadCount === 0} /> : null}
      />
      {!res.ok ? (
        <ErrorState problem={res.problem} what="notifications" />
      ) : res.data.items.length === 0 ? (
        <EmptyState title="No notifications yet">
          You will be told here when an app nears its quota or a key is about to expire.
        </EmptyState>
      ) : (
        <>
          <NotificationList items={res.data.items} />
          <Pager total={res.data.total} limit={PAGE_SIZE} offset={offset} />
        </>
      )}
    </>
  );
}
