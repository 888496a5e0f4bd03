from .calendar import *  # noqa: F403
from .cases import *  # noqa: F403
from .catalogue import *  # noqa: F403
from .jobs import *  # noqa: F403
from .notifications import *  # noqa: F403
from .org import *  # noqa: F403
from .ratelimit import *  # noqa: F403
from .reports import *  # noqa: F403
