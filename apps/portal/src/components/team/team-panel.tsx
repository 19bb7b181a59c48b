'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { schemaResolver, useForm } from '@mantine/form';
import { IconAlertTriangle, IconCheck, IconCopy, IconLock, IconTrash, IconUserPlus } from '@tabler/icons-react';
import { contractForm } from '@/lib/contract-form';
import { changeMemberRole, inviteMember, removeMember, withdrawInvitation } from '@/actions/team';
import { ConfirmModal } from '@/components/confirm-modal';
import { showProblem, showSuccess } from '@/lib/form-errors';
import { fmtDate, fmtDay } from '@/lib/format';
import { managesTeam, TEAM_ROLES } from '@/lib/team';
import {
  createInvitationBody,
  type CreatedInvitationResponse as CreatedInvitation,
  type TeamResponse as Team,
  type MemberResponse as TeamMember,
  type TeamRole,
} from '@apim/contracts/management';

/** Admins manage members and invitations but not owners (the API refuses it); owners manage everyone. */
function assignable(myRole: TeamRole): typeof TEAM_ROLES {
  return myRole === 'owner' ? TEAM_ROLES : TEAM_ROLES.filter((r) => r.value !== 'owner');
}
const ROLE_COLOR: Record<TeamRole, string> = { owner: 'indigo', admin: 'violet', developer: 'teal', billing: 'gray' };

/** The API's invitation body, in the portal's words. */
const inviteSchema = contractForm(createInvitationBody, { email: 'Enter an e-mail address', role: 'Pick a role' });

/** Members, pending invitations and the invite form; controls only for owners and admins. */
export function TeamPanel({ team, currentUserId }: { team: Team; currentUserId: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [inviteOpen, setInviteOpen] = useState(false);
  const [invited, setInvited] = useState<CreatedInvitation | null>(null);
  const [removing, setRemoving] = useState<TeamMember | null>(null);
  const canManage = managesTeam(team.role);
  const owners = team.members.filter((m) => m.role === 'owner').length;
  const roles = assignable(team.role);
  const roleOptions = roles.map((r) => ({ value: r.value, label: r.label }));

  const form = useForm({
    mode: 'controlled',
    initialValues: { email: '', role: 'developer' },
    validate: schemaResolver(inviteSchema, { sync: true }),
  });

  const submitInvite = form.onSubmit((v) =>
    startTransition(async () => {
      const res = await inviteMember(v);
      if (!res.ok) return showProblem(res.problem, form);
      setInviteOpen(false);
      form.reset();
      setInvited(res.data);
      router.refresh();
    }),
  );

  const setRole = (m: TeamMember, role: string | null) =>
    startTransition(async () => {
      if (!role || role === m.role) return;
      const res = await changeMemberRole(m.userId, role);
      if (!res.ok) return showProblem(res.problem);
      showSuccess(`${m.name} is now ${role}`);
      router.refresh();
    });

  const doRemove = () =>
    startTransition(async () => {
      if (!removing) return;
      const self = removing.userId === currentUserId;
      const res = await removeMember(removing.userId);
      if (!res.ok) return showProblem(res.problem);
      setRemoving(null);
      showSuccess(self ? 'You left the team' : `${removing.name} was removed from the team`);
      router.push(self ? '/dashboard' : '/dashboard/team');
      router.refresh();
    });

  const withdraw = (invitationId: string, email: string) =>
    startTransition(async () => {
      const res = await withdrawInvitation(invitationId);
      if (!res.ok) return showProblem(res.problem);
      showSuccess(`Invitation to ${email} withdrawn`);
      router.refresh();
    });

  return (
    <Stack gap="lg">
      {!canManage ? (
        <Alert color="indigo" icon={<IconLock />} title={`Your role in this team: ${team.role}`}>
          Owners and admins invite members and change roles; you can see who is in the team.
        </Alert>
      ) : null}

      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="members-title">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="members-title">
            Members ({team.members.length})
          </Title>
          {canManage ? (
            <Button leftSection={<IconUserPlus size={16} />} onClick={() => setInviteOpen(true)}>
              Invite member
            </Button>
          ) : null}
        </Group>
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="sm" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>E-mail</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Joined</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {team.members.map((m) => {
                const self = m.userId === currentUserId;
                // The last owner stays; an admin cannot touch an owner (the API answers 403/409 anyway).
                const locked = (m.role === 'owner' && owners <= 1) || (m.role === 'owner' && team.role !== 'owner');
                return (
                  <Table.Tr key={m.userId} data-testid="member-row">
                    <Table.Td>
                      {m.name}
                      {self ? (
                        <Text span size="xs" c="dimmed" ml={6}>
                          (you)
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>{m.email}</Table.Td>
                    <Table.Td miw={150}>
                      {canManage && !locked ? (
                        <Select
                          aria-label={`Role of ${m.name}`}
                          data={roleOptions}
                          value={m.role}
                          onChange={(v) => setRole(m, v)}
                          allowDeselect={false}
                          disabled={pending}
                          size="xs"
                          w={140}
                        />
                      ) : (
                        <Badge variant="light" color={ROLE_COLOR[m.role]}>
                          {m.role}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{fmtDay(m.joinedAt)}</Table.Td>
                    <Table.Td>
                      {(canManage || self) && !(m.role === 'owner' && owners <= 1) && (self || !locked) ? (
                        <Group justify="flex-end">
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            color="red"
                            leftSection={<IconTrash size={14} />}
                            onClick={() => setRemoving(m)}
                            aria-label={self ? 'Leave the team' : `Remove ${m.name}`}
                          >
                            {self ? 'Leave' : 'Remove'}
                          </Button>
                        </Group>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>

      {canManage ? (
        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="invitations-title">
          <Title order={2} size="h4" id="invitations-title" mb="sm">
            Pending invitations
          </Title>
          {team.invitations.length === 0 ? (
            <Text size="sm" c="dimmed">
              None. Invite someone by e-mail: they get a link that works until it expires.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>E-mail</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Expires</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {team.invitations.map((i) => (
                    <Table.Tr key={i.id} data-testid="invitation-row">
                      <Table.Td>{i.email}</Table.Td>
                      <Table.Td miw={120}>
                        <Badge variant="light" color={ROLE_COLOR[i.role]}>
                          {i.role}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{fmtDate(i.expiresAt)}</Table.Td>
                      <Table.Td>
                        <Group justify="flex-end">
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            color="red"
                            onClick={() => withdraw(i.id, i.email)}
                            loading={pending}
                            aria-label={`Withdraw the invitation to ${i.email}`}
                          >
                            Withdraw
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Paper>
      ) : null}

      <Modal opened={inviteOpen} onClose={() => setInviteOpen(false)} title="Invite a member">
        <form onSubmit={submitInvite} noValidate>
          <Stack>
            <TextInput
              label="E-mail"
              type="email"
              placeholder="colleague@example.com"
              required
              data-autofocus
              {...form.getInputProps('email')}
            />
            <Select
              label="Role"
              required
              data={roles.map((r) => ({ value: r.value, label: `${r.label}: ${r.description}` }))}
              allowDeselect={false}
              {...form.getInputProps('role')}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setInviteOpen(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={pending}>
                Send invitation
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>

      <Modal
        opened={!!invited}
        onClose={() => setInvited(null)}
        title="Invitation created"
        size="lg"
        closeOnClickOutside={false}
      >
        {invited ? (
          <Stack>
            <Alert color="yellow" icon={<IconAlertTriangle />} title="Copy the link now">
              Send it to {invited.email}; it is shown only here (and e-mailed when the portal sends e-mail). It works
              until {fmtDate(invited.expiresAt)}.
            </Alert>
            <Code block className="mono" data-testid="accept-url" aria-label="Invitation link">
              {invited.acceptUrl}
            </Code>
            <Group justify="flex-end">
              <CopyButton value={invited.acceptUrl}>
                {({ copied, copy }) => (
                  <Button
                    onClick={copy}
                    color={copied ? 'teal' : undefined}
                    leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  >
                    {copied ? 'Copied' : 'Copy link'}
                  </Button>
                )}
              </CopyButton>
              <Button variant="default" onClick={() => setInvited(null)}>
                Done
              </Button>
            </Group>
          </Stack>
        ) : null}
      </Modal>

      <ConfirmModal
        opened={!!removing}
        onClose={() => setRemoving(null)}
        title={removing?.userId === currentUserId ? 'Leave the team?' : `Remove ${removing?.name ?? ''}?`}
        confirmLabel={removing?.userId === currentUserId ? 'Leave team' : 'Remove member'}
        loading={pending}
        onConfirm={doRemove}
      >
        {removing?.userId === currentUserId
          ? 'You lose access to the team’s apps, keys and usage at once.'
          : `${removing?.name ?? ''} loses access to the team’s apps, keys and usage at once.`}
      </ConfirmModal>
    </Stack>
  );
}
