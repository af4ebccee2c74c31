import { Role } from '../roles/role.entity.ts';
import { User } from '../accounts/user.entity.ts';
import { Session } from '../tokens/session.entity.ts';
import { RefreshToken } from '../tokens/refresh-token.entity.ts';
import { AuditEvent } from '../audit/audit-event.entity.ts';
import { MfaChallenge, RecoveryCode, UserTotp } from '../mfa/entities.ts';

export const entities = [Role, User, Session, RefreshToken, AuditEvent, UserTotp, RecoveryCode, MfaChallenge];
