import { Role } from '../roles/role.entity.ts';
import { User } from '../accounts/user.entity.ts';
import { Session } from '../tokens/session.entity.ts';
import { RefreshToken } from '../tokens/refresh-token.entity.ts';
import { AuditEvent } from '../audit/audit-event.entity.ts';
import { MfaChallenge, MfaFailures, RecoveryCode, UserTotp } from '../mfa/entities.ts';
import { OneTimeToken } from '../onetime-tokens/one-time-token.entity.ts';
import { OutboxMessage } from '../mail/outbox-message.entity.ts';
import { MailThrottleEntry } from '../mail/mail-throttle.entity.ts';

export const entities = [Role, User, Session, RefreshToken, AuditEvent, UserTotp, RecoveryCode, MfaChallenge, MfaFailures, OneTimeToken, OutboxMessage, MailThrottleEntry];
