/**
 * What the API shows of a user, and all a resolver may rely on: the ORM entity has this shape,
 * and so has the row the auth plugin reads on every request without building an entity.
 */
export interface UserView {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  phoneNumber: string;
  createdAt: Date;
  mfaEnabled: boolean;
  disabled: boolean;
  emailVerified: boolean;
  role: { name: string; permissions: readonly string[] };
}
