/** An error text without the email addresses SMTP servers (and drivers) quote in it, so it can be kept in clear. */
export function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '<address>');
}
