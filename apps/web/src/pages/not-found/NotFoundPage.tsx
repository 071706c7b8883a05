import { Link } from 'react-router';

export default function NotFoundPage() {
  return (
    <>
      <h1 className="page-title">Page not found</h1>
      <p>
        There is nothing at this address. Go back to <Link to="/servers">Dedicated servers</Link>.
      </p>
    </>
  );
}
