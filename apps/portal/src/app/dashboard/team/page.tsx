import { api } from '@/lib/api-client';
import { requireUser } from '@/lib/session';
import type { TeamResponse as Team } from '@apim/contracts/management';
import { ErrorState, PageHeader } from '@/components/states';
import { TeamPanel } from '@/components/team/team-panel';

export const metadata = { title: 'Team' };

export default async function TeamPage() {
  const [user, res] = await Promise.all([requireUser(), api.get<Team>('/v1/portal/team')]);
  return (
    <>
      <PageHeader
        title="Team"
        description={
          res.ok
            ? `Everyone in ${res.data.consumer.name} sees its apps. Owners and admins manage members; developers manage apps, keys and webhooks; billing reads usage.`
            : undefined
        }
      />
      {res.ok ? (
        <TeamPanel team={res.data} currentUserId={user.id} />
      ) : (
        <ErrorState problem={res.problem} what="your team" />
      )}
    </>
  );
}
