import { useEffect, type ReactNode } from 'react';
import { AuthProvider } from './auth/AuthProvider.tsx';
import { useAuth } from './auth/AuthContext.ts';
import { Layout } from './components/Layout.tsx';
import { AdminUserPage } from './pages/AdminUserPage.tsx';
import { AdminUsersPage } from './pages/AdminUsersPage.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { MfaPage } from './pages/MfaPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { OAuthCallbackPage } from './pages/OAuthCallbackPage.tsx';
import { OAuthDonePage } from './pages/OAuthDonePage.tsx';
import { ProfilePage } from './pages/ProfilePage.tsx';
import { RegisterPage } from './pages/RegisterPage.tsx';
import { ResetPasswordPage } from './pages/ResetPasswordPage.tsx';
import { SecurityPage } from './pages/SecurityPage.tsx';
import { VerifyPage } from './pages/VerifyPage.tsx';
import { StepUpDialog } from './mfa/StepUpDialog.tsx';
import type { PageName } from './router/routes.ts';
import { useLocation } from './router/useLocation.ts';

const PAGES: Record<PageName | 'notFound', () => ReactNode> = {
  home: HomePage, login: LoginPage, register: RegisterPage, forgotPassword: ForgotPasswordPage, resetPassword: ResetPasswordPage,
  verify: VerifyPage, oauthCallback: OAuthCallbackPage, oauthDone: OAuthDonePage, profile: ProfilePage, security: SecurityPage, mfa: MfaPage, oauthMfa: MfaPage, users: AdminUsersPage, user: AdminUserPage,
  audit: AuditPage, notFound: NotFoundPage,
};

/** Re-reads the current user on every navigation: a new role, a deactivation or a revoked session shows at once. */
function RefreshOnNavigation({ navigation }: { navigation: number }) {
  const { state, reload } = useAuth();
  const signedIn = state.status === 'signed-in';
  useEffect(() => {
    if (signedIn && navigation > 0) reload().catch(() => {});
    // only on navigation
  }, [navigation]);
  return null;
}

function Routes() {
  const { page, pathname, navigation } = useLocation();
  const Page = PAGES[page];
  return (
    <Layout>
      <RefreshOnNavigation navigation={navigation} />
      <Page key={pathname} />
    </Layout>
  );
}

export function App() {
  return (
    <AuthProvider>
      <Routes />
      <StepUpDialog />
    </AuthProvider>
  );
}
