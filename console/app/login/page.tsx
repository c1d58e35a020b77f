import { LoginForm } from '../../src/client/login-form.tsx';

export default function LoginPage() {
  return (
    <main>
      <h1>Sign in to Strata</h1>
      <p>Paste a bearer token the cluster accepts. The console keeps it on its server, sealed in your session.</p>
      <LoginForm />
    </main>
  );
}
