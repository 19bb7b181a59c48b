import { AcceptInvitation } from '@/components/forms/accept-invitation';
import { currentUser } from '@/lib/session';

export const metadata = { title: 'Join a team' };

/** The page the API's acceptUrl points at (`${PORTAL_URL}/invitations/<token>`). */
export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const [{ token }, user] = await Promise.all([params, currentUser()]);
  return <AcceptInvitation token={token} signedInAs={user?.email ?? null} />;
}
