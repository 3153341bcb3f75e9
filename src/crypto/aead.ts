import crypto from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export class DecryptionError extends Error {
  constructor(message = 'ciphertext could not be authenticated') {
    super(message);
  }
}

/** AES-256-GCM: returns iv ‖ tag ‖ ciphertext. `aad` binds the ciphertext to its context. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): Buffer {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function open(key: Uint8Array, sealed: Uint8Array, aad: string): Buffer {
  const buffer = Buffer.from(sealed);
  if (buffer.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('ciphertext too short');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, buffer.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(buffer.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(buffer.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptionError();
  }
}

export function randomKey(): Buffer {
  return crypto.randomBytes(KEY_BYTES);
}
