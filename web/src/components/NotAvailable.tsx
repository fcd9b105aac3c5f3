/** A feature this server does not offer (its route answers 404): said plainly, not as an error. */
export function NotAvailable({ feature }: { feature: string }) {
  return <div className="alert alert-info" role="status"><p>{feature} is not available on this server.</p></div>;
}
