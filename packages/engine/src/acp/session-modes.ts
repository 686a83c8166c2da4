import type * as acp from '@agentclientprotocol/sdk';

/** The session modes `herd acp` offers. */
export type AcpSessionModeId = 'plan' | 'act';

/** `plan` proposes a plan and stops; `act` plans, asks for approval, carries the plan out and verifies it. */
export const acpSessionModes: acp.SessionMode[] = [
  {
    id: 'plan',
    name: 'Plan',
    description:
      'Scout reads the repository and proposes a plan; nothing changes until you approve acting on it.',
  },
  {
    id: 'act',
    name: 'Act',
    description: 'Scout plans, you approve, Maverick carries the plan out step by step, then it is verified.',
  },
];

/** The mode state of a session, as `session/new` and `session/load` report it. */
export function sessionModeState(current: AcpSessionModeId): acp.SessionModeState {
  return { currentModeId: current, availableModes: acpSessionModes };
}

/** True for a mode id this agent offers. */
export function isAcpSessionModeId(value: string): value is AcpSessionModeId {
  return value === 'plan' || value === 'act';
}
