from .cases import *  # noqa: F403
from .catalogue import *  # noqa: F403
from .notifications import *  # noqa: F403
from .org import *  # noqa: F403
