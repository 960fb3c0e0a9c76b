import { useAuth } from '@reauth/react';
import { useState } from 'react';
import { DEMO_USERS } from '../mock/demo';
import { CredentialsForm } from './CredentialsForm';

/** The signed-out page: a login form, and the two demo users to pick from. */
export function SignInCard() {
  const signIn = useAuth((auth) => auth.signIn);
  // Remounting the form with a key fills it for the picked demo user.
  const [picked, setPicked] = useState({ username: '', password: '', key: 0 });

  return (
    <section className="card sign-in" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <p className="muted">
        The API is the <code>@reauth/msw</code> kit, running in your browser: no server anywhere.
      </p>
      <CredentialsForm
        key={picked.key}
        onTokens={signIn}
        initialUsername={picked.username}
        initialPassword={picked.password}
        submitLabel="Sign in"
      />
      <div className="demo-users">
        <p className="muted">Demo users (click to fill the form):</p>
        <ul>
          {DEMO_USERS.map((user) => (
            <li key={user.username}>
              <button
                type="button"
                onClick={() =>
                  setPicked({ username: user.username, password: user.password, key: picked.key + 1 })
                }
              >
                {user.title}
              </button>{' '}
              <span className="muted">
                password <code>{user.password}</code>
              </span>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
