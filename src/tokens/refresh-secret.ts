export { newOpaqueSecret as newRefreshSecret, hashOpaqueSecret as hashRefreshSecret } from '../shared/opaque-secret.ts';
