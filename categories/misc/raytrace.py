"""A small object-oriented ray tracer.

Renders a 100x100 image of seven spheres standing on a checkered plane, lit
by two point lights with shadows, Lambert and Phong shading and mirror
reflections up to depth 3. The vectors are small Python objects, so the time
goes to attribute access, allocation and float arithmetic. The quantised image
is checked by its SHA-1.
"""
import hashlib
import math

WIDTH = HEIGHT = 100
MAX_DEPTH = 3
EPSILON = 1e-6

EXPECTED_SHA1 = "60ab85d9cb2da3096b2b6b6bcf78ee016dbe9d8f"


class Vector:
    __slots__ = ("x", "y", "z")

    def __init__(self, x, y, z):
        self.x = x
        self.y = y
        self.z = z

    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y, self.z + other.z)

    def __sub__(self, other):
        return Vector(self.x - other.x, self.y - other.y, self.z - other.z)

    def scale(self, factor):
        return Vector(self.x * factor, self.y * factor, self.z * factor)

    def dot(self, other):
        return self.x * other.x + self.y * other.y + self.z * other.z

    def cross(self, other):
        return Vector(self.y * other.z - self.z * other.y,
                      self.z * other.x - self.x * other.z,
                      self.x * other.y - self.y * other.x)

    def length(self):
        return math.sqrt(self.dot(self))

    def normalized(self):
        return self.scale(1.0 / self.length())

    def reflected(self, normal):
        """This direction mirrored about the plane with unit `normal`."""
        return self - normal.scale(2.0 * self.dot(normal))


class Colour:
    __slots__ = ("r", "g", "b")

    def __init__(self, r, g, b):
        self.r = r
        self.g = g
        self.b = b

    def __add__(self, other):
        return Colour(self.r + other.r, self.g + other.g, self.b + other.b)

    def scale(self, factor):
        return Colour(self.r * factor, self.g * factor, self.b * factor)

    def tint(self, other):
        return Colour(self.r * other.r, self.g * other.g, self.b * other.b)


BLACK = Colour(0.0, 0.0, 0.0)


class Ray:
    __slots__ = ("origin", "direction")

    def __init__(self, origin, direction):
        self.origin = origin
        self.direction = direction.normalized()

    def at(self, distance):
        return self.origin + self.direction.scale(distance)


class Sphere:
    def __init__(self, centre, radius, material):
        self.centre = centre
        self.radius = radius
        self.material = material

    def hit_distance(self, ray):
        """Distance along `ray` to the nearest hit in front, or None."""
        to_centre = self.centre - ray.origin
        along = to_centre.dot(ray.direction)
        discriminant = (self.radius * self.radius
                        - to_centre.dot(to_centre) + along * along)
        if discriminant < 0.0:
            return None
        root = math.sqrt(discriminant)
        for distance in (along - root, along + root):
            if distance > EPSILON:
                return distance
        return None

    def normal_at(self, point):
        return (point - self.centre).normalized()


class Plane:
    def __init__(self, point, normal, material):
        self.point = point
        self.normal = normal.normalized()
        self.material = material

    def hit_distance(self, ray):
        facing = ray.direction.dot(self.normal)
        if facing == 0.0:
            return None
        distance = (self.point - ray.origin).dot(self.normal) / facing
        return distance if distance > EPSILON else None

    def normal_at(self, point):
        return self.normal


class Material:
    def __init__(self, colour, diffuse=0.7, specular=0.3, shininess=16,
                 ambient=0.1, reflectivity=0.25):
        self.colour = colour
        self.diffuse = diffuse
        self.specular = specular
        self.shininess = shininess
        self.ambient = ambient
        self.reflectivity = reflectivity

    def colour_at(self, point):
        return self.colour


class Checkered(Material):
    def __init__(self, colour, other, size=1.0, **kwargs):
        super().__init__(colour, **kwargs)
        self.other = other
        self.size = size

    def colour_at(self, point):
        square = (math.floor(point.x / self.size)
                  + math.floor(point.z / self.size))
        return self.colour if square % 2 == 0 else self.other


class Scene:
    def __init__(self, objects, lights, eye, look_at, up, fov_degrees):
        self.objects = objects
        self.lights = lights
        self.eye = eye
        self.forward = (look_at - eye).normalized()
        self.right = self.forward.cross(up).normalized()
        self.up = self.right.cross(self.forward)
        self.half_view = math.tan(math.radians(fov_degrees) / 2.0)

    def nearest_hit(self, ray):
        nearest, nearest_distance = None, math.inf
        for thing in self.objects:
            distance = thing.hit_distance(ray)
            if distance is not None and distance < nearest_distance:
                nearest, nearest_distance = thing, distance
        return nearest, nearest_distance

    def in_shadow(self, point, light_position):
        to_light = light_position - point
        distance = to_light.length()
        ray = Ray(point, to_light)
        for thing in self.objects:
            hit = thing.hit_distance(ray)
            if hit is not None and hit < distance:
                return True
        return False

    def trace(self, ray, depth):
        thing, distance = self.nearest_hit(ray)
        if thing is None:
            return BLACK
        point = ray.at(distance)
        normal = thing.normal_at(point)
        if normal.dot(ray.direction) > 0.0:
            normal = normal.scale(-1.0)
        material = thing.material
        base = material.colour_at(point)
        colour = base.scale(material.ambient)
        for light_position, light_colour in self.lights:
            if self.in_shadow(point, light_position):
                continue
            to_light = (light_position - point).normalized()
            lambert = normal.dot(to_light)
            if lambert <= 0.0:
                continue
            colour = colour + base.tint(light_colour).scale(
                material.diffuse * lambert)
            mirror = to_light.scale(-1.0).reflected(normal)
            phong = -mirror.dot(ray.direction)
            if phong > 0.0:
                colour = colour + light_colour.scale(
                    material.specular * phong ** material.shininess)
        if depth < MAX_DEPTH and material.reflectivity > 0.0:
            bounce = Ray(point, ray.direction.reflected(normal))
            colour = colour + self.trace(bounce, depth + 1).scale(
                material.reflectivity)
        return colour

    def render(self, width, height):
        pixels = bytearray()
        aspect = width / height
        for row in range(height):
            v = (1.0 - 2.0 * (row + 0.5) / height) * self.half_view
            for column in range(width):
                u = (2.0 * (column + 0.5) / width - 1.0) * self.half_view
                direction = (self.forward + self.right.scale(u * aspect)
                             + self.up.scale(v))
                colour = self.trace(Ray(self.eye, direction), 1)
                pixels += bytes(min(255, int(channel * 255.0))
                                for channel in (colour.r, colour.g, colour.b))
        return pixels


def build_scene():
    white = Colour(1.0, 1.0, 1.0)
    spheres = [
        Sphere(Vector(x, radius, z), radius,
               Material(Colour(r, g, b), reflectivity=reflect))
        for x, z, radius, (r, g, b), reflect in (
            (0.0, 0.0, 1.5, (0.9, 0.2, 0.2), 0.3),
            (-3.2, 1.0, 1.0, (0.2, 0.8, 0.3), 0.2),
            (3.0, 0.8, 1.1, (0.2, 0.3, 0.9), 0.4),
            (-1.6, 3.2, 0.6, (0.9, 0.8, 0.2), 0.1),
            (1.7, 3.0, 0.7, (0.8, 0.4, 0.9), 0.5),
            (-4.6, -2.5, 1.3, (0.7, 0.7, 0.7), 0.6),
            (4.4, -2.8, 1.4, (0.3, 0.8, 0.8), 0.35),
        )
    ]
    floor = Plane(Vector(0.0, 0.0, 0.0), Vector(0.0, 1.0, 0.0),
                  Checkered(white, Colour(0.1, 0.1, 0.1), size=1.5,
                            specular=0.1, reflectivity=0.2))
    lights = [
        (Vector(-6.0, 8.0, 8.0), Colour(0.8, 0.8, 0.8)),
        (Vector(7.0, 5.0, 4.0), Colour(0.5, 0.45, 0.4)),
    ]
    return Scene(spheres + [floor], lights, eye=Vector(0.0, 3.0, 11.0),
                 look_at=Vector(0.0, 1.0, 0.0), up=Vector(0.0, 1.0, 0.0),
                 fov_degrees=50.0)


def setup():
    return build_scene()


def run(state, loops):
    for _ in range(loops):
        pixels = state.render(WIDTH, HEIGHT)
        digest = hashlib.sha1(pixels).hexdigest()
        if digest != EXPECTED_SHA1:
            raise AssertionError("raytrace: image sha1 %s, expected %s"
                                 % (digest, EXPECTED_SHA1))
