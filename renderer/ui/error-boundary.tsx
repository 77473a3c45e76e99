// One failing part of the window (a panel, a tab, the feed) shows what went wrong in its own box and
// leaves the rest of the app working. React unmounts the whole tree on an uncaught render error, so
// every region the user can reach gets one of these.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** Who failed, in words: "The Payload tab", "The Rules panel". */
  name: string;
  /** When this changes (another event, another tab) the boundary tries again. */
  resetKey?: unknown;
  children: ReactNode;
}

interface State {
  error: Error | null;
  key: unknown;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    if (props.resetKey !== state.key) return { key: props.resetKey, error: null };
    return null;
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error(`${this.props.name} failed`, error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="notice notice-error panel-failed" role="alert" data-testid="panel-failed">
        <strong>{this.props.name} failed to show.</strong>{' '}
        <span className="wrap-words">{error.message.slice(0, 300)}</span>
        <div>
          <button type="button" className="btn btn-xs" onClick={() => this.setState({ error: null })}>Try again</button>
        </div>
      </div>
    );
  }
}
